package kernel

import (
	"golang.org/x/sys/unix"

	"warren.dev/kernel/cpu"
)

// vfork: a process starts another as os/exec and posix_spawn do, with
// clone(CLONE_VM|CLONE_VFORK) or vfork, and the child execs (exec.go).
// There is no copy-on-write fork: the child is a process of its own (its
// own slot, pid, copy of the descriptors and signal dispositions) that
// runs in its parent's address space (process.mm) while the parent's
// calling thread sleeps, until the child execs or ends.
//
// The Warren program (slot 0) starts processes the same way: its vfork
// child runs in the program's address space, the kernel's, on the
// parent's stack, until it execs into an address space of its own. It is
// a process for everything else: no Warren calls, the limits of a
// process, and IOPL 0, so it can do less than the program, never more.

// vforkFlags must be present in a clone that makes a process.
const vforkFlags = unix.CLONE_VM | unix.CLONE_VFORK

// vforkKeyBase + slot is where a parent sleeps for its vfork child.
const vforkKeyBase = 1<<63 | 0x400

// sysVfork is clone(CLONE_VM|CLONE_VFORK|SIGCHLD).
//
// Context: kernel (no allocation, no pointer stores).
func sysVfork(f *cpu.TrapFrame) (uint64, unix.Errno) {
	return cloneProcess(f, vforkFlags|uint64(unix.SIGCHLD), 0, 0, 0, 0)
}

// cloneProcess makes a vfork child of the caller's process and waits
// until it execs or ends.
//
// Context: kernel (no allocation, no pointer stores).
func cloneProcess(f *cpu.TrapFrame, flags, stack, ptid, ctid, tls uint64) (uint64, unix.Errno) {
	p := curProc()
	if flags&vforkFlags != vforkFlags {
		return 0, unix.ENOSYS // fork: no copy-on-write
	}
	known := uint64(vforkFlags | unix.CLONE_SETTLS | unix.CLONE_PARENT_SETTID | unix.CLONE_CHILD_SETTID | unix.CLONE_PIDFD | 0xff)
	sig := flags & 0xff
	// CLONE_PIDFD stores the pidfd where CLONE_PARENT_SETTID stores the tid.
	pidfd := flags&unix.CLONE_PIDFD != 0
	if flags&^known != 0 || sig > maxSignal || pidfd && flags&unix.CLONE_PARENT_SETTID != 0 {
		return 0, unix.EINVAL
	}
	if e := checkCloneArgs(flags, stack, tls); e != 0 {
		return 0, e
	}
	pr := &procs[p]
	c, e := createProcess(pr.name[:pr.nameLen])
	if e != 0 {
		return 0, e
	}
	ch := &procs[c]
	ch.mm, ch.parent, ch.exitSignal, ch.vfork, ch.forked = pr.mm, p, uint8(sig), true, true
	ch.brkStart, ch.brk, ch.umask = pr.brkStart, pr.brk, pr.umask
	if p != 0 { // the program has no limits of its own: its child gets the defaults
		limits[c] = limits[p]
	}
	sigActions[c] = sigActions[p]
	procCreds[c] = procCreds[p]
	inheritFDs(c, p)
	inheritCwd(c, p)
	copyExePath(c, p)
	fd := uint64(0)
	if pidfd {
		// After inheritFDs: the child does not get its own pidfd.
		if fd, e = givePidfd(ch.pid, ptid); e != 0 {
			abandonChild(c)
			return 0, e
		}
	}
	i, e := allocThread(c)
	if e != 0 {
		if pidfd {
			closeFD(fd)
		}
		abandonChild(c)
		return 0, e
	}
	threads[i].tid = ch.pid
	ch.state = procLive
	pid := ch.pid
	startClone(i, f, flags, stack, ptid, ctid, tls)
	threads[i].frame().RFLAGS &^= cpu.FlagIOPL // the program's port access stays with it
	for ch.vfork && ch.pid == pid && !threads[cur].killed {
		sleepOn(vforkKeyBase+uint64(c), 0, false)
	}
	return uint64(pid), 0
}

// givePidfd gives the caller a pidfd for its new child pid and stores
// its number at ptid.
//
// Context: kernel (no allocation, no pointer stores).
func givePidfd(pid int32, ptid uint64) (uint64, unix.Errno) {
	fd, e := openPidfd(pid, 0)
	if e != 0 {
		return 0, e
	}
	if e := store32(ptid, uint32(fd)); e != 0 {
		closeFD(fd)
		return 0, e
	}
	return fd, 0
}

// abandonChild frees process c, a clone child that never ran.
//
// Context: kernel (no allocation, no pointer stores).
func abandonChild(c int32) {
	closeAllFDs(c)
	dropCwdTmp(c)
	procs[c].state = procFree
}

// endVfork releases the parent of process c, which has exec'd or ended.
//
// Context: kernel (no allocation, no pointer stores).
func endVfork(c int32) {
	if procs[c].vfork {
		procs[c].vfork = false
		wakeup(vforkKeyBase+uint64(c), 1)
	}
}
