package kernel

import (
	"golang.org/x/sys/unix"

	"warren.dev/kernel/cpu"
	"warren.dev/kernel/signal"
	"warren.dev/mm/vm"
)

// Page faults, as trap (trap.go) hands them over. A fault in the image's
// demand-backed tail (image.go) is backed here, whoever touched it; any
// other page fault of user code goes to its process's address space
// (mm/vm/fault.go), which backs the page or says why it cannot. A page
// fault in kernel code anywhere else is a crash (crash.go).

// tailFault backs the page of the image's tail at addr, or stops the
// machine: the tail is the program's, and it has no other memory.
//
// Context: kernel (no allocation, no pointer stores).
func tailFault(addr uint64) {
	kstats.PageFaults++
	if !backTail(addr) {
		outOfMemory(addr)
	}
}

// userPageFault backs the page user code faulted on, or signals the
// thread (SIGSEGV) or ends its process (out of memory) as Linux does.
// userException counted it.
//
// Context: kernel (no allocation, no pointer stores).
func userPageFault(f *cpu.TrapFrame) {
	addr := cpu.ReadCR2()
	const errWrite, errFetch = 1 << 1, 1 << 4
	switch addressSpace(curProc()).Fault(addr, f.ErrorCode&errWrite != 0, f.ErrorCode&errFetch != 0) {
	case vm.Mapped:
	case vm.AccErr:
		sendFault(int(unix.SIGSEGV), signal.SEGV_ACCERR, addr)
	case vm.OOM:
		if curProc() != 0 { // as Linux's OOM killer: the process, not the machine
			oomKill(curProc())
			return
		}
		outOfMemory(addr)
	default:
		sendFault(int(unix.SIGSEGV), signal.SEGV_MAPERR, addr)
	}
}
