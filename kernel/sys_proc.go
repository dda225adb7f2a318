package kernel

import (
	"golang.org/x/sys/unix"

	"warren.dev/kernel/cpu"
	"warren.dev/kernel/procabi"
)

// The process loader's calls (procabi). Only the Warren program may make
// them; memory calls apply to processes that have not started yet.

// loaderTarget resolves the pid argument of a loader call to a slot in
// one of the states allowed.
//
// Context: kernel (no allocation, no pointer stores).
func loaderTarget(pid uint64, states ...procState) (int32, unix.Errno) {
	if curProc() != 0 {
		return 0, unix.EPERM
	}
	if pid >= 1<<31 {
		return 0, unix.ESRCH
	}
	p, ok := procByPID(int32(pid))
	if !ok || p == 0 {
		return 0, unix.ESRCH
	}
	for _, s := range states {
		if procs[p].state == s {
			return p, 0
		}
	}
	return 0, unix.EBUSY
}

// loadingTarget resolves the pid argument of a call that lays out memory:
// a process not started yet, or one past its execve's point of no
// return.
//
// Context: kernel (no allocation, no pointer stores).
func loadingTarget(pid uint64) (int32, unix.Errno) {
	if p, e := execTarget(pid, execCommitted); e == 0 {
		return p, 0
	}
	return loaderTarget(pid, procNew)
}

// sysProcCreate (name, nameLen) makes an empty process.
//
// Context: kernel (no allocation, no pointer stores).
func sysProcCreate(f *cpu.TrapFrame) (uint64, unix.Errno) {
	if curProc() != 0 {
		return 0, unix.EPERM
	}
	var name [procabi.PathMax]byte
	n := min(f.RSI, procabi.PathMax)
	if e := copyIn(name[:n], f.RDI); e != 0 {
		return 0, e
	}
	p, e := createProcess(name[:min(n, procabi.NameMax)])
	if e != 0 {
		return 0, e
	}
	openConsoleFDs(p)
	setExePath(p, name[:n])
	return uint64(procs[p].pid), 0
}

// sysProcMap (pid, addr, len, prot) maps zeroed memory at a fixed address.
//
// Context: kernel (no allocation, no pointer stores).
func sysProcMap(f *cpu.TrapFrame) (uint64, unix.Errno) {
	p, e := loadingTarget(f.RDI)
	if e != 0 {
		return 0, e
	}
	return procAS[p].Mmap(f.RSI, f.RDX, int(f.R10), unix.MAP_PRIVATE|unix.MAP_ANONYMOUS|unix.MAP_FIXED)
}

// sysProcWrite (pid, addr, buf, n) copies the loader's bytes into the
// process; the destination must be writable.
//
// Context: kernel (no allocation, no pointer stores).
func sysProcWrite(f *cpu.TrapFrame) (uint64, unix.Errno) {
	p, e := loadingTarget(f.RDI)
	if e != 0 {
		return 0, e
	}
	return 0, copyBetween(p, f.RSI, 0, f.RDX, f.R10)
}

// sysProcProtect (pid, addr, len, prot) is mprotect in the process.
//
// Context: kernel (no allocation, no pointer stores).
func sysProcProtect(f *cpu.TrapFrame) (uint64, unix.Errno) {
	p, e := loadingTarget(f.RDI)
	if e != 0 {
		return 0, e
	}
	as := &procAS[p]
	if e := as.Mprotect(f.RSI, f.RDX, int(f.R10)); e != 0 {
		return 0, e
	}
	// What the loader protects is a segment of the executable: advice
	// must not zero it (vm.Retain).
	return 0, as.Retain(f.RSI, f.RDX)
}

// sysProcStart (pid, entry, sp, brk) starts the process's first thread.
//
// Context: kernel (no allocation, no pointer stores).
func sysProcStart(f *cpu.TrapFrame) (uint64, unix.Errno) {
	p, e := loadingTarget(f.RDI)
	if e != 0 {
		return 0, e
	}
	if f.R10 < procabi.UserBottom || f.R10 > procabi.UserTop {
		return 0, unix.EINVAL
	}
	if procs[p].state == procLive {
		return 0, finishExec(p, f.RSI, f.RDX, f.R10)
	}
	return 0, startProcess(p, f.RSI, f.RDX, f.R10)
}

// sysProcWait (pid) waits for the process's end and returns its status.
//
// Context: kernel (no allocation, no pointer stores).
func sysProcWait(f *cpu.TrapFrame) (uint64, unix.Errno) {
	p, e := loaderTarget(f.RDI, procNew, procLive, procZombie)
	if e != 0 {
		return 0, e
	}
	return waitProcess(p)
}
