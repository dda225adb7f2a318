package kernel

import (
	"golang.org/x/sys/unix"

	"warren.dev/kernel/signal"
)

// Job control, as Linux does it for a process group of one: SIGSTOP, and
// SIGTSTP, SIGTTIN and SIGTTOU at their default action, stop a process;
// SIGCONT continues it; SIGKILL ends it, stopped or not. A stopped
// process's threads park on their way back to user mode (deliverSignals),
// so none of its code runs until it continues; a thread asleep in a call
// parks when the call returns. Signals other than SIGKILL and SIGCONT
// stay pending while it is stopped. Its parent gets SIGCHLD at each stop
// and continue (unless its SIGCHLD action has SA_NOCLDSTOP) and collects
// each once (wait4's WUNTRACED and WCONTINUED, waitid's WSTOPPED and
// WCONTINUED; WNOWAIT leaves it). The program, like Linux's init, never
// stops.

// stopKeyBase + slot is where a stopped process's threads park.
const stopKeyBase = 1<<63 | 0x900

// stopSignals are the signals whose default action is to stop.
var stopSignals = signal.Bit(int(unix.SIGSTOP)) | signal.Bit(int(unix.SIGTSTP)) |
	signal.Bit(int(unix.SIGTTIN)) | signal.Bit(int(unix.SIGTTOU))

// Job-control events a process has for its parent to collect
// (process.jobReport).
const (
	jobNone uint8 = iota
	jobStopped
	jobContinued
)

// SIGCHLD's si_code values for job control (asm-generic/siginfo.h).
const (
	cldStopped   = 5
	cldContinued = 6
)

// Wait statuses of job-control events, Linux encoding.
const (
	statusStoppedLow = 0x7f   // | sig<<8
	statusContinued  = 0xffff // WIFCONTINUED
)

// jobControl does at once what sending sig to process p does beyond
// marking it pending, as Linux's prepare_signal: SIGCONT continues p and
// discards its pending stop signals, a stop signal discards a pending
// SIGCONT, and SIGKILL gets a stopped p's threads up to end.
//
// Context: kernel (no allocation, no pointer stores).
func jobControl(p int32, sig int) {
	switch {
	case sig == int(unix.SIGCONT):
		dropPending(p, stopSignals)
		continueProcess(p)
	case stopSignals&signal.Bit(sig) != 0:
		dropPending(p, signal.Bit(int(unix.SIGCONT)))
	case sig == int(unix.SIGKILL):
		wakeup(stopKeyBase+uint64(p), maxThreads)
	}
}

// dropPending discards the signals in s pending on process p's threads.
//
// Context: kernel (no allocation, no pointer stores).
func dropPending(p int32, s signal.Set) {
	for i := int32(firstThread); i < threadHigh; i++ {
		if t := &threads[i]; t.proc == p && t.state != threadFree {
			t.sigPending &^= s
		}
	}
}

// stopProcess stops process p with sig: its threads running on other
// CPUs are kicked into the kernel to park, and its parent is told.
//
// Context: kernel (no allocation, no pointer stores).
func stopProcess(p int32, sig int) {
	pr := &procs[p]
	if p == 0 || pr.exiting || pr.stopped {
		return
	}
	pr.stopped, pr.stopSig, pr.jobReport = true, uint8(sig), jobStopped
	for i := int32(firstThread); i < threadHigh; i++ {
		if threads[i].proc == p {
			kick(i)
		}
	}
	notifyJobChange(p)
}

// continueProcess continues process p if it is stopped, and tells its
// parent.
//
// Context: kernel (no allocation, no pointer stores).
func continueProcess(p int32) {
	pr := &procs[p]
	if !pr.stopped {
		return
	}
	pr.stopped, pr.jobReport = false, jobContinued
	wakeup(stopKeyBase+uint64(p), maxThreads)
	notifyJobChange(p)
}

// notifyJobChange tells the parent of process p that p stopped or
// continued: SIGCHLD, unless the parent asked for none with
// SA_NOCLDSTOP, and its wait4 or waitid wakes. The loader's processes
// are the program's through SysWait, which reports ends only.
//
// Context: kernel (no allocation, no pointer stores).
func notifyJobChange(p int32) {
	pr := &procs[p]
	if pr.parent < 0 || !pr.forked {
		return
	}
	if sigActions[pr.parent][unix.SIGCHLD].Flags&signal.SA_NOCLDSTOP == 0 {
		signalProcess(pr.parent, int(unix.SIGCHLD))
	}
	wakeup(childKeyBase+uint64(pr.parent), maxThreads)
}

// parkWhileStopped holds the calling thread while its process is
// stopped. It returns when the process continues or SIGKILL is pending,
// and ends the thread if the process ends meanwhile.
//
// Context: kernel (no allocation, no pointer stores).
func parkWhileStopped() {
	t := &threads[cur]
	for procs[t.proc].stopped && t.sigPending&signal.Bit(int(unix.SIGKILL)) == 0 {
		sleepOn(stopKeyBase+uint64(t.proc), 0, false)
		if t.killed {
			exitThread(0)
		}
	}
}

// jobStatus returns the wait status of process pr's job-control event
// not yet collected, if it has one.
func jobStatus(pr *process) (uint32, bool) {
	switch pr.jobReport {
	case jobStopped:
		return uint32(pr.stopSig)<<8 | statusStoppedLow, true
	case jobContinued:
		return statusContinued, true
	}
	return 0, false
}
