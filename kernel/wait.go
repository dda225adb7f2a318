package kernel

import (
	"golang.org/x/sys/unix"

	"warren.dev/kernel/cpu"
	"warren.dev/kernel/signal"
)

// Waiting for children: a process that ends stays a zombie until its
// parent collects its status with wait4 or waitid (the loader's processes:
// SysWait), and its parent gets its exit signal (SIGCHLD). Children of a
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

// childInfo is the siginfo waitid reports for a child that ended with
// wait status st.
func childInfo(pid int32, st uint32) signal.Info {
	i := signal.Info{Signo: int32(unix.SIGCHLD), Pid: pid}
	switch sig := int32(st & 0x7f); {
	case sig == 0:
		i.Code, i.Status = cldExited, int32(st>>8&0xff)
	case st&0x80 != 0:
		i.Code, i.Status = cldDumped, sig
	default:
		i.Code, i.Status = cldKilled, sig
	}
	return i
}

// waitChild finds an ended child of the caller matching sel, sleeping
// for one unless nohang. It returns the child's slot, or -1 if nohang
// and none has ended yet.
//
// Context: kernel (no allocation, no pointer stores).
func waitChild(sel int32, nohang bool) (int32, unix.Errno) {
	p := curProc()
	for {
		live := false
		for c := int32(1); c < maxProcs; c++ {
			ch := &procs[c]
			if ch.state == procFree || ch.state == procNew || ch.parent != p || !ch.forked || !childMatches(sel, ch.pid) {
				continue
			}
			if ch.state == procZombie {
				return c, 0
			}
			live = true
		}
		switch {
		case !live:
			return -1, unix.ECHILD
		case nohang:
			return -1, 0
		}
		if sleepOn(childKeyBase+uint64(p), 0, true) == wokenSignal {
			return -1, errRestart
		}
	}
}

// sysWait4 (pid, status, options, rusage) collects an ended child.
//
// Context: kernel (no allocation, no pointer stores).
func sysWait4(f *cpu.TrapFrame) (uint64, unix.Errno) {
	sel, status, options, rusage := int32(f.RDI), f.RSI, f.RDX, f.R10
	known := uint64(unix.WNOHANG | unix.WUNTRACED | unix.WCONTINUED | unix.WALL | unix.WCLONE | unix.WNOTHREAD)
	if options&^known != 0 || sel == -1<<31 {
		return 0, unix.EINVAL
	}
	c, e := waitChild(sel, options&unix.WNOHANG != 0)
	if c < 0 {
		return 0, e
	}
	ch := &procs[c]
	if status != 0 {
		if e := store32(status, ch.status); e != 0 {
			return 0, e
		}
	}
	if e := zeroRusage(rusage); e != 0 {
		return 0, e
	}
	ch.state = procFree
	return uint64(ch.pid), 0
}

// sysWaitid (idtype, id, infop, options, rusage) reports an ended child
// in a siginfo; WNOWAIT leaves it to be waited for again.
//
// Context: kernel (no allocation, no pointer stores).
func sysWaitid(f *cpu.TrapFrame) (uint64, unix.Errno) {
	idtype, id, infop, options, rusage := f.RDI, f.RSI, f.RDX, f.R10, f.R8
	known := uint64(unix.WNOHANG | unix.WEXITED | unix.WSTOPPED | unix.WCONTINUED | unix.WNOWAIT |
		unix.WALL | unix.WCLONE | unix.WNOTHREAD)
	if options&^known != 0 || options&(unix.WEXITED|unix.WSTOPPED|unix.WCONTINUED) == 0 {
		return 0, unix.EINVAL
	}
	sel := int32(-1)
	switch idtype {
	case unix.P_ALL, unix.P_PGID:
	case unix.P_PID:
		if id == 0 || id >= 1<<31 {
			return 0, unix.EINVAL
		}
		sel = int32(id)
	default:
		return 0, unix.EINVAL // P_PIDFD: no pidfds
	}
	var c int32 = -1
	var e unix.Errno
	if options&unix.WEXITED != 0 {
		c, e = waitChild(sel, options&unix.WNOHANG != 0)
	} else if _, e = waitChild(sel, true); e == 0 && options&unix.WNOHANG == 0 {
		// Stops and continues are never reported: wait for a signal.
		for sleepOn(sleepKey, 0, true) != wokenSignal {
		}
		return 0, errRestart
	}
	if e != 0 {
		return 0, e
	}
	var info signal.Info
	if c >= 0 {
		info = childInfo(procs[c].pid, procs[c].status)
	}
	if infop != 0 {
		var b [signal.InfoSize]byte
		signal.EncodeInfo(b[:], &info) // all zero when nothing has ended (WNOHANG)
		if e := copyOut(infop, b[:]); e != 0 {
			return 0, e
		}
	}
	if e := zeroRusage(rusage); e != 0 {
		return 0, e
	}
	if c >= 0 && options&unix.WNOWAIT == 0 {
		procs[c].state = procFree
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
