package kernel

import (
	"golang.org/x/sys/unix"

	"warren.dev/kernel/cpu"
)

// Memory: anonymous mappings through the address space (mm/vm), backed
// on first touch.

func sysMmap(f *cpu.TrapFrame) (uint64, unix.Errno) {
	addr, length, prot, flags := f.RDI, f.RSI, int(f.RDX), int(f.R10)
	if flags&unix.MAP_ANONYMOUS == 0 {
		return 0, unix.ENODEV // no file mappings: Go programs do not need them
	}
	return addressSpace(curProc()).Mmap(addr, length, prot, flags)
}

func sysMunmap(f *cpu.TrapFrame) (uint64, unix.Errno) {
	return 0, addressSpace(curProc()).Munmap(f.RDI, f.RSI)
}

func sysMprotect(f *cpu.TrapFrame) (uint64, unix.Errno) {
	return 0, addressSpace(curProc()).Mprotect(f.RDI, f.RSI, int(f.RDX))
}

func sysMadvise(f *cpu.TrapFrame) (uint64, unix.Errno) {
	return 0, addressSpace(curProc()).Madvise(f.RDI, f.RSI, int(f.RDX))
}

// sysBrk moves a process's break. The program's (and its vfork child's)
// cannot move: Go never uses brk, and C allocators fall back to mmap when
// it fails, as Linux allows.
//
// Context: kernel (no allocation, no pointer stores).
func sysBrk(f *cpu.TrapFrame) (uint64, unix.Errno) {
	if p := curProc(); !inProgramMemory(p) {
		return procBrk(p, f.RDI), 0
	}
	return 0, 0
}
