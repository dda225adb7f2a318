package kernel

import (
	"os"
	"syscall"
	"unsafe"

	"warren.dev/kernel/crash"
)

// The fault reporter runs as an ordinary goroutine: the formatting needs
// the heap (x86asm, the runtime's symbol tables).

// bootSymbols keeps the boot entry points linked (bootref_*_amd64.s).
func bootSymbols()

func init() {
	bootSymbols()
	if !onWarren() {
		return
	}
	go reportFaults()
	// With warren.debug=fault this faults in kernel mode once the reporter
	// waits; otherwise it returns at once.
	syscall.Syscall(sysWarrenDebugFault, 0, 0, 0)
}

// onWarren tells a Warren machine from a Linux host, where the package is
// built for tests: only Warren knows the fault-wait call's size check.
func onWarren() bool {
	_, _, e := syscall.RawSyscall(sysWarrenFaultWait, 0, 1, 0)
	return e == syscall.EINVAL
}

func reportFaults() {
	var s faultState
	_, _, e := syscall.Syscall(sysWarrenFaultWait, uintptr(unsafe.Pointer(&s)), unsafe.Sizeof(s), 0)
	if e != 0 {
		return
	}
	r := crash.Report{
		Frame: s.frame,
		CR0:   s.cr0, CR2: s.cr2, CR3: s.cr3, CR4: s.cr4,
		FSBase: s.fsBase,
		Code:   s.code[:s.ncode],
		Stack:  s.stack[:s.nstack],
		Thread: int(s.tid),
		What:   "fault in kernel mode",
	}
	crash.Write(os.Stderr, &r, crash.RuntimeSymbolizer{})
	syscall.RawSyscall(syscall.SYS_EXIT_GROUP, exitKernelFailure, 0, 0)
}

// faultRecordSize is the size of the record sysFaultWait copies out.
const faultRecordSize = uint64(unsafe.Sizeof(faultState{}))

// faultRecord views the captured fault state as bytes.
func faultRecord() []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(&pendingFault)), faultRecordSize)
}
