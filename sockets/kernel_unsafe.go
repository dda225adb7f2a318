package sockets

import (
	"sync"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"

	"warren.dev/kernel/sockabi"
)

// sysKernel is the kernel seen through Warren's socket-layer system calls
// (kernel/sockabi). Outside Warren every call fails with ENOSYS.
type sysKernel struct{}

// System returns the running kernel.
func System() Server { return sysKernel{} }

func (sysKernel) Next(r *sockabi.Request, id, result uint64, e unix.Errno) unix.Errno {
	_, _, err := unix.Syscall6(sockabi.SysServe, uintptr(unsafe.Pointer(r)), sockabi.RequestSize, uintptr(id), uintptr(result), uintptr(e), 0)
	return err
}

func (sysKernel) Reply(id, result uint64, e unix.Errno) {
	unix.Syscall(sockabi.SysReply, uintptr(id), uintptr(result), uintptr(e))
}

func (sysKernel) CopyIn(id, addr uint64, b []byte) unix.Errno {
	return sysCopy(sockabi.SysCopyIn, id, addr, b)
}

func (sysKernel) CopyOut(id, addr uint64, b []byte) unix.Errno {
	return sysCopy(sockabi.SysCopyOut, id, addr, b)
}

// sysCopy makes SysCopyIn or SysCopyOut (addr, buf, n, id).
func sysCopy(nr uintptr, id, addr uint64, b []byte) unix.Errno {
	if len(b) == 0 {
		return 0
	}
	_, _, e := unix.Syscall6(nr, uintptr(addr), uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)), uintptr(id), 0, 0)
	return e
}

func (sysKernel) Install(id uint64, flags uint32, domain, typ, proto int32) (int, int32, unix.Errno) {
	r, _, e := unix.Syscall6(sockabi.SysInstall, uintptr(flags), uintptr(domain), uintptr(typ), uintptr(proto), uintptr(id), 0)
	return int(uint32(r)), int32(r >> 32), e
}

// Lookup makes SysLookup. It is a raw system call: it must not come back
// through the standard library's socket hook that asks it.
func (sysKernel) Lookup(fd int) (sockabi.SockInfo, unix.Errno) {
	var info sockabi.SockInfo
	_, _, e := unix.RawSyscall(sockabi.SysLookup, uintptr(fd), uintptr(unsafe.Pointer(&info)), 0)
	return info, e
}

// lookupGen is the word SysLookupGen names, asked for once.
var lookupGen struct {
	once sync.Once
	word *atomic.Uint64
}

// LookupGen reads the program's descriptor-table generation in place;
// outside Warren, where there is none, a value no answer carries.
func (sysKernel) LookupGen() uint64 {
	lookupGen.once.Do(func() {
		if addr, _, e := unix.RawSyscall(sockabi.SysLookupGen, 0, 0, 0); e == 0 {
			// The kernel's own variable: the image is one program.
			lookupGen.word = *(**atomic.Uint64)(unsafe.Pointer(&addr))
		}
	})
	if lookupGen.word == nil {
		return ^uint64(0)
	}
	return lookupGen.word.Load()
}

// Ready makes SysReady as a raw system call: the kernel records the
// events and wakes pollers, and never sleeps, so the runtime's syscall
// bookkeeping would be paid twice a request for nothing.
func (sysKernel) Ready(sock int32, events uint32) {
	unix.RawSyscall(sockabi.SysReady, uintptr(sock), uintptr(events), 0)
}

func (sysKernel) SetAddr(sock int32, peer bool, sa []byte) {
	var which uintptr
	if peer {
		which = 1
	}
	var p unsafe.Pointer
	if len(sa) > 0 {
		p = unsafe.Pointer(&sa[0])
	}
	unix.Syscall6(sockabi.SysSetAddr, uintptr(sock), which, uintptr(p), uintptr(len(sa)), 0, 0)
}

func (sysKernel) SetFile(path string, data []byte) {
	p := []byte(path)
	if len(p) == 0 {
		return
	}
	var d unsafe.Pointer
	if len(data) > 0 {
		d = unsafe.Pointer(&data[0])
	}
	unix.Syscall6(sockabi.SysSetFile, uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)), uintptr(d), uintptr(len(data)), 0, 0)
}

func (sysKernel) UnixName(op int, path string) (uint64, unix.Errno) {
	p := append([]byte(path), 0)
	r, _, e := unix.Syscall(sockabi.SysUnixName, uintptr(op), uintptr(unsafe.Pointer(&p[0])), 0)
	return uint64(r), e
}

func (sysKernel) RightsGet(id uint64, fd int32) (int32, unix.Errno) {
	r, _, e := unix.Syscall(sockabi.SysRightsGet, uintptr(fd), uintptr(id), 0)
	return int32(r), e
}

func (sysKernel) RightsInstall(id uint64, slot int32, flags uint32) (int, unix.Errno) {
	r, _, e := unix.Syscall(sockabi.SysRightsInstall, uintptr(slot), uintptr(flags), uintptr(id))
	return int(r), e
}

func (sysKernel) RightsPut(slot int32) {
	unix.Syscall(sockabi.SysRightsPut, uintptr(slot), 0, 0)
}

func (sysKernel) ReadFile(id uint64, file int32, off int64, b []byte) (int, unix.Errno) {
	if len(b) == 0 {
		return 0, 0
	}
	r, _, e := unix.Syscall6(sockabi.SysFileRead, uintptr(file), uintptr(off), uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)), uintptr(id), 0)
	return int(r), e
}

func (sysKernel) WritePipe(id uint64, file int32, b []byte) (int, unix.Errno) {
	if len(b) == 0 {
		return 0, 0
	}
	r, _, e := unix.Syscall6(sockabi.SysPipeWrite, uintptr(file), uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)), uintptr(id), 0, 0)
	return int(r), e
}

func (sysKernel) SpliceHold(args [6]uint64) (int32, uint64, unix.Errno) {
	r, _, e := unix.Syscall6(sockabi.SysSpliceHold, uintptr(args[0]), uintptr(args[1]), uintptr(args[2]), uintptr(args[3]), uintptr(args[4]), uintptr(args[5]))
	return int32(uint32(r)), uint64(r >> 32), e
}

// SpliceRelease makes SysSpliceRelease as a raw system call: it never
// sleeps.
func (sysKernel) SpliceRelease(file int32, dir, n uint64) {
	unix.RawSyscall(sockabi.SysSpliceRelease, uintptr(file), uintptr(dir), uintptr(n))
}
