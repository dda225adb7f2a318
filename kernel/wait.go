package kernel

import (
	"golang.org/x/sys/unix"

	"warren.dev/kernel/cpu"
	"warren.dev/kernel/signal"
)

// Waiting for children: a process that ends stays a zombie until its
// parent collects its status with wait4 or waitid (the loader's processes:
// SysWait), and its parent gets its exit signal (SIGCHLD). Stops and
// continues are collected the same way (jobctl.go). Children of a
// process that ends are orphans: nobody waits for them, and their slots
// are freed as they end. Process groups are not kept: a pid selector of
// 0 or below -1 means any child.

// childKeyBase + slot is where a process's wait4 and waitid sleep.
const childKeyBase = 1<<63 | 0x500

// SIGCHLD's si_code values (asm-generic/siginfo.h; not in x/sys/unix).
const (
	cldExited = 1
	cldKilled = 2
	cldDumped = 3
)

// rusageSize is sizeof(struct rusage) on x86-64; Warren reports zeroes.
const rusageSize = 144

// notifyParent tells the parent of process c, which has just become a
// zombie, that it ended; an orphan's slot is freed at once.
//
// Context: kernel (no allocation, no pointer stores).
func notifyParent(c int32) {
	pr := &procs[c]
	switch {
	case pr.parent < 0:
		pr.state = procFree
	case pr.parent == 0 && !pr.forked:
		wakeup(procWaitKeyBase+uint64(c), maxThreads)
	default:
		if pr.exitSignal != 0 {
			signalProcess(pr.parent, int(pr.exitSignal))
		}
		wakeup(childKeyBase+uint64(pr.parent), maxThreads)
	}
}

// orphanChildren frees the zombie children of process p, which is
// ending, and leaves the others to end unwaited for.
//
// Context: kernel (no allocation, no pointer stores).
func orphanChildren(p int32) {
	for c := int32(1); c < maxProcs; c++ {
		ch := &procs[c]
		if c == p || ch.state == procFree || ch.parent != p {
			continue
		}
		ch.parent = -1
		if ch.state == procZombie {
			ch.state = procFree
		}
	}
}

// childMatches reports whether a child with pid child answers a wait4 pid
// selector: -1, 0 and process groups (below -1) mean any child.
func childMatches(sel, child int32) bool { return sel <= 0 || sel == child }

// childInfo is the siginfo waitid reports for a child whose event has
// wait status st: an end, a stop or a continue.
func childInfo(pid int32, st uint32) signal.Info {
	i := signal.Info{Signo: int32(unix.SIGCHLD), Pid: pid}
	switch sig := int32(st & 0x7f); {
	case st == statusContinued:
		i.Code, i.Status = cldContinued, int32(unix.SIGCONT)
	case st&0xff == statusStoppedLow:
		i.Code, i.Status = cldStopped, int32(st>>8&0xff)
	case sig == 0:
		i.Code, i.Status = cldExited, int32(st>>8&0xff)
	case st&0x80 != 0:
		i.Code, i.Status = cldDumped, sig
	default:
		i.Code, i.Status = cldKilled, sig
	}
	return i
}

// childEvent returns the wait status of child pr's event not yet
// collected, if it is one of those in want (WEXITED, WSTOPPED,
// WCONTINUED).
func childEvent(pr *process, want uint64) (uint32, bool) {
	if pr.state == procZombie {
		return pr.status, want&unix.WEXITED != 0
	}
	st, ok := jobStatus(pr)
	if st == statusContinued {
		return st, ok && want&unix.WCONTINUED != 0
	}
	return st, ok && want&unix.WSTOPPED != 0
}

// waitChild finds a child of the caller matching sel with an event in
// want, sleeping for one unless nohang. It returns the child's slot and
// the event's wait status, or slot -1 if nohang and there is none yet.
//
// Context: kernel (no allocation, no pointer stores).
func waitChild(sel int32, want uint64, nohang bool) (int32, uint32, unix.Errno) {
	p := curProc()
	for {
		live := false
		for c := int32(1); c < maxProcs; c++ {
			ch := &procs[c]
			if ch.state == procFree || ch.state == procNew || ch.parent != p || !ch.forked || !childMatches(sel, ch.pid) {
				continue
			}
			if st, ok := childEvent(ch, want); ok {
				return c, st, 0
			}
			live = true
		}
		switch {
		case !live:
			return -1, 0, unix.ECHILD
		case nohang:
			return -1, 0, 0
		}
		if sleepOn(childKeyBase+uint64(p), 0, true) == wokenSignal {
			return -1, 0, errRestart
		}
	}
}

// collectChild takes child c's reported event: an ended child's slot is
// freed, a stop or continue is reported once.
func collectChild(c int32) {
	if ch := &procs[c]; ch.state == procZombie {
		ch.state = procFree
	} else {
		ch.jobReport = jobNone
	}
}

// sysWait4 (pid, status, options, rusage) collects an ended child, or
// with WUNTRACED a stopped one, with WCONTINUED a continued one.
//
// Context: kernel (no allocation, no pointer stores).
func sysWait4(f *cpu.TrapFrame) (uint64, unix.Errno) {
	sel, status, options, rusage := int32(f.RDI), f.RSI, f.RDX, f.R10
	known := uint64(unix.WNOHANG | unix.WUNTRACED | unix.WCONTINUED | unix.WALL | unix.WCLONE | unix.WNOTHREAD)
	if options&^known != 0 || sel == -1<<31 {
		return 0, unix.EINVAL
	}
	// WUNTRACED is waitid's WSTOPPED.
	c, st, e := waitChild(sel, unix.WEXITED|options&(unix.WUNTRACED|unix.WCONTINUED), options&unix.WNOHANG != 0)
	if c < 0 {
		return 0, e
	}
	if status != 0 {
		if e := store32(status, st); e != 0 {
			return 0, e
		}
	}
	if e := zeroRusage(rusage); e != 0 {
		return 0, e
	}
	pid := procs[c].pid
	collectChild(c)
	return uint64(pid), 0
}

// sysWaitid (idtype, id, infop, options, rusage) reports a child's end,
// stop or continue, as options ask, in a siginfo; WNOWAIT leaves it to
// be waited for again.
//
// Context: kernel (no allocation, no pointer stores).
func sysWaitid(f *cpu.TrapFrame) (uint64, unix.Errno) {
	idtype, id, infop, options, rusage := f.RDI, f.RSI, f.RDX, f.R10, f.R8
	events := uint64(unix.WEXITED | unix.WSTOPPED | unix.WCONTINUED)
	known := events | unix.WNOHANG | unix.WNOWAIT | unix.WALL | unix.WCLONE | unix.WNOTHREAD
	if options&^known != 0 || options&events == 0 {
		return 0, unix.EINVAL
	}
	sel, nohang, again := int32(-1), options&unix.WNOHANG != 0, false
	switch idtype {
	case unix.P_ALL, unix.P_PGID:
	case unix.P_PID:
		if id == 0 || id >= 1<<31 {
			return 0, unix.EINVAL
		}
		sel = int32(id)
	case unix.P_PIDFD:
		if id >= 1<<31 {
			return 0, unix.EINVAL
		}
		var nonblock bool
		var e unix.Errno
		if sel, nonblock, e = pidfdTarget(id); e != 0 {
			return 0, e
		}
		// A nonblocking pidfd does not sleep either: EAGAIN, unless
		// the caller asked for WNOHANG's answer (Linux 5.10).
		again, nohang = nonblock && !nohang, nohang || nonblock
	default:
		return 0, unix.EINVAL
	}
	c, st, e := waitChild(sel, options&events, nohang)
	if e != 0 {
		return 0, e
	}
	if c < 0 && again {
		return 0, unix.EAGAIN
	}
	var info signal.Info
	if c >= 0 {
		info = childInfo(procs[c].pid, st)
		info.Uid = int32(procCreds[c].uid.real)
	}
	if infop != 0 {
		var b [signal.InfoSize]byte
		signal.EncodeInfo(b[:], &info) // all zero when there is nothing to report (WNOHANG)
		if e := copyOut(infop, b[:]); e != 0 {
			return 0, e
		}
	}
	if e := zeroRusage(rusage); e != 0 {
		return 0, e
	}
	if c >= 0 && options&unix.WNOWAIT == 0 {
		collectChild(c)
	}
	return 0, 0
}

// zeroRusage fills a struct rusage, if asked for, with zeroes.
func zeroRusage(addr uint64) unix.Errno {
	if addr == 0 {
		return 0
	}
	var b [rusageSize]byte
	return copyOut(addr, b[:])
}
