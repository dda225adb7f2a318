package kernel

import (
	"golang.org/x/sys/unix"

	"warren.dev/kernel/cpu"
	"warren.dev/kernel/files"
)

// Pidfds: descriptors that name a process (pidfd_open, clone's
// CLONE_PIDFD), which Go's os package waits for (waitid's P_PIDFD) and
// signals (pidfd_send_signal) through, with no race against a reused
// pid. The description holds the pid, not the slot: slots are reused,
// pids are not (they come from the thread ID sequence, which only
// grows), so once the process has been collected its pidfd names
// nothing. It is readable (poll, epoll) once the process has ended.

// pidfdNonblock is PIDFD_NONBLOCK, which is O_NONBLOCK.
const pidfdNonblock = unix.O_NONBLOCK

// sysPidfdOpen (pid, flags) opens a pidfd, always close-on-exec, for a
// process that has not been collected.
//
// Context: kernel (no allocation, no pointer stores).
func sysPidfdOpen(f *cpu.TrapFrame) (uint64, unix.Errno) {
	pid, flags := int64(int32(f.RDI)), f.RSI
	if flags&^pidfdNonblock != 0 || pid <= 0 {
		return 0, unix.EINVAL
	}
	if _, ok := procByPID(int32(pid)); !ok {
		if _, ok := threadByTID(int32(pid)); ok {
			return 0, unix.EINVAL // a thread, not a process, as Linux without PIDFD_THREAD
		}
		return 0, unix.ESRCH
	}
	return openPidfd(int32(pid), uint32(flags))
}

// openPidfd gives the caller a pidfd for the process pid, with flags 0
// or PIDFD_NONBLOCK.
//
// Context: kernel (no allocation, no pointer stores).
func openPidfd(pid int32, flags uint32) (uint64, unix.Errno) {
	return openNew(kindPidfd, pid, unix.O_RDWR|unix.O_CLOEXEC|flags&pidfdNonblock)
}

// pidfdTarget is the pid that the caller's descriptor fd names, and
// whether the pidfd is nonblocking; EBADF if fd is not a pidfd.
//
// Context: kernel (no allocation, no pointer stores).
func pidfdTarget(fd uint64) (int32, bool, unix.Errno) {
	of, e := lookupFD(fd)
	switch {
	case e != 0:
		return 0, false, e
	case of.kind != kindPidfd:
		return 0, false, unix.EBADF
	}
	return of.obj, of.nonblocking(), 0
}

// pidfdPoll is a pidfd's readiness: EPOLLIN once its process has ended
// (a zombie, or collected). Its readiness sequence number is taken when
// a poller first sees the end (releaseProcess wakes them) and kept, as
// the end is the pidfd's only edge.
//
// Context: kernel (no allocation, no pointer stores).
func pidfdPoll(of *openFile) (uint32, uint64) {
	if p, ok := procByPID(of.obj); ok && procs[p].state != procZombie {
		return 0, 0
	}
	if of.seq == 0 {
		of.seq = files.NextSeq()
	}
	return unix.EPOLLIN | unix.EPOLLRDNORM, of.seq
}

// sysPidfdSendSignal (pidfd, sig, info, flags) is kill(2) to the pidfd's
// process. A siginfo to send (info not NULL) is not supported: EINVAL.
//
// Context: kernel (no allocation, no pointer stores).
func sysPidfdSendSignal(f *cpu.TrapFrame) (uint64, unix.Errno) {
	fd, sig, info, flags := f.RDI, int(int32(f.RSI)), f.RDX, f.R10
	if flags != 0 || info != 0 {
		return 0, unix.EINVAL
	}
	pid, _, e := pidfdTarget(fd)
	if e != 0 {
		return 0, e
	}
	p, ok := liveProcess(pid)
	if !ok {
		return 0, unix.ESRCH
	}
	return sendKill(p, sig)
}
