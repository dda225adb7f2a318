package proc

import (
	"unsafe"

	"golang.org/x/sys/unix"

	"warren.dev/kernel/procabi"
)

// The kernel's process calls (procabi). They use Syscall, not RawSyscall:
// SysWait blocks, and the others may take a while, so the Go runtime
// should hand the P to another thread meanwhile.

func sysCreate(name string) (int, error) {
	pid, _, e := unix.Syscall(procabi.SysCreate, uintptr(unsafe.Pointer(unsafe.StringData(name))), uintptr(len(name)), 0)
	return int(pid), errnoErr(e)
}

func sysMap(pid int, addr, length uint64, prot int) error {
	_, _, e := unix.Syscall6(procabi.SysMap, uintptr(pid), uintptr(addr), uintptr(length), uintptr(prot), 0, 0)
	return errnoErr(e)
}

func sysWrite(pid int, addr uint64, b []byte) error {
	_, _, e := unix.Syscall6(procabi.SysWrite, uintptr(pid), uintptr(addr), uintptr(unsafe.Pointer(unsafe.SliceData(b))), uintptr(len(b)), 0, 0)
	return errnoErr(e)
}

func sysProtect(pid int, addr, length uint64, prot int) error {
	_, _, e := unix.Syscall6(procabi.SysProtect, uintptr(pid), uintptr(addr), uintptr(length), uintptr(prot), 0, 0)
	return errnoErr(e)
}

func sysStart(pid int, img Image) error {
	_, _, e := unix.Syscall6(procabi.SysStart, uintptr(pid), uintptr(img.Entry), uintptr(img.Stack), uintptr(img.Brk), 0, 0)
	return errnoErr(e)
}

func sysWait(pid int) (unix.WaitStatus, error) {
	ws, _, e := unix.Syscall(procabi.SysWait, uintptr(pid), 0, 0)
	return unix.WaitStatus(ws), errnoErr(e)
}

// errnoErr turns a system call's errno into an error, nil for none.
func errnoErr(e unix.Errno) error {
	if e != 0 {
		return e
	}
	return nil
}

func sysExecNext(req []byte) error {
	_, _, e := unix.Syscall(procabi.SysExecNext, uintptr(unsafe.Pointer(unsafe.SliceData(req))), 0, 0)
	return errnoErr(e)
}

func sysExecRead(pid int, addr uint64, b []byte) error {
	_, _, e := unix.Syscall6(procabi.SysExecRead, uintptr(pid), uintptr(addr), uintptr(unsafe.Pointer(unsafe.SliceData(b))), uintptr(len(b)), 0, 0)
	return errnoErr(e)
}

func sysExecReply(pid int, errno unix.Errno) error {
	_, _, e := unix.Syscall(procabi.SysExecReply, uintptr(pid), uintptr(errno), 0)
	return errnoErr(e)
}
