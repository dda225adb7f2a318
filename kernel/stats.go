package kernel

import (
	"golang.org/x/sys/unix"

	"warren.dev/kernel/cpu"
	"warren.dev/kernel/statsabi"
)

// kstats are the kernel's event counters (statsabi.Counters says what
// each counts). Kernel context holds the kernel lock (klock.go), so the
// counting sites increment them plainly.
var kstats statsabi.Counters

// countSyscall counts a system call about to be dispatched.
//
// Context: kernel (no allocation, no pointer stores).
func countSyscall(nr uint64) {
	kstats.Syscalls++
	if nr < statsabi.MaxNr {
		kstats.ByNr[nr]++
	}
	if curProc() != 0 {
		kstats.ProcSyscalls++
	}
	if nr >= sysWarrenFirst {
		kstats.WarrenCalls++
	}
}

// sysStats copies the counters out: the first min(RSI, statsabi.Size)
// bytes to RDI. It returns statsabi.Size. The copy runs with interrupts
// off and does not sleep, so it is one consistent reading.
//
// Context: kernel (no allocation, no pointer stores).
func sysStats(f *cpu.TrapFrame) (uint64, unix.Errno) {
	n := min(f.RSI, statsabi.Size)
	if e := copyOut(f.RDI, countersBytes()[:n]); e != 0 {
		return 0, e
	}
	return statsabi.Size, 0
}
