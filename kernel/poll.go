package kernel

import (
	"golang.org/x/sys/unix"

	"warren.dev/kernel/cpu"
	"warren.dev/kernel/files"
)

// Readiness, eventfd and epoll (files.Epoll). The Go runtime's
// netpoller blocks in epoll_pwait and is woken through an eventfd.

const (
	maxEventfds = 64
	maxEpolls   = maxProcs // every Go process makes one
)

var (
	eventfds [maxEventfds]files.Eventfd
	epolls   [maxEpolls]files.Epoll
)

// Ready implements files.Readiness.
//
// Context: kernel (no allocation, no pointer stores).
func (descs) Ready(f int32) (uint32, uint64) { return openFiles[f].poll() }

// pollNotify wakes threads waiting for readiness.
//
// Context: kernel (no allocation, no pointer stores).
func pollNotify() { wakeup(pollKey, maxThreads) }

// poll returns the EPOLL* events ready on a file and a number that changes
// whenever they may have changed (for edge-triggered interest).
//
// Context: kernel (no allocation, no pointer stores).
func (of *openFile) poll() (events uint32, seq uint64) {
	switch of.kind {
	case kindEventfd:
		return eventfds[of.obj].Poll()
	case kindConsole:
		return unix.EPOLLOUT | unix.EPOLLWRNORM, 0
	case kindEpoll:
		return 0, 0
	case kindPipe:
		return pipePoll(of)
	case kindSocket:
		return of.events, of.seq
	case kindPidfd:
		return pidfdPoll(of)
	case kindIRQ:
		if irqs[of.obj].count > 0 {
			events = unix.EPOLLIN | unix.EPOLLRDNORM
		}
		return events, irqs[of.obj].seq
	}
	return unix.EPOLLIN | unix.EPOLLOUT | unix.EPOLLRDNORM | unix.EPOLLWRNORM, 0
}

// sysEventfd2 creates an eventfd.
func sysEventfd2(f *cpu.TrapFrame) (uint64, unix.Errno) {
	initval, flags := f.RDI, uint32(f.RSI)
	if flags&^(unix.EFD_CLOEXEC|unix.EFD_NONBLOCK|unix.EFD_SEMAPHORE) != 0 {
		return 0, unix.EINVAL
	}
	if !shareAllowed(maxEventfds, func(i int) (int32, bool) { return eventfds[i].Owner, eventfds[i].Used }) {
		return 0, unix.ENFILE
	}
	for i := int32(0); i < maxEventfds; i++ {
		if !eventfds[i].Used {
			eventfds[i].Open(curProc(), uint32(initval), flags&unix.EFD_SEMAPHORE != 0)
			fd, e := openNew(kindEventfd, i, flags&(unix.O_CLOEXEC|unix.O_NONBLOCK)|unix.O_RDWR)
			if e != 0 {
				eventfds[i].Used = false
			}
			return fd, e
		}
	}
	return 0, unix.ENFILE
}

// eventfdRead reads an eventfd's count.
//
// Context: kernel (no allocation, no pointer stores).
func eventfdRead(of *openFile, buf, n uint64) (uint64, unix.Errno) {
	done, e := files.EventfdRead(callerEnv(), &eventfds[of.obj], buf, n, of.nonblocking())
	return done, restartable(e)
}

// eventfdWrite adds to an eventfd's count.
//
// Context: kernel (no allocation, no pointer stores).
func eventfdWrite(of *openFile, buf, n uint64) (uint64, unix.Errno) {
	done, e := files.EventfdWrite(callerEnv(), &eventfds[of.obj], buf, n, of.nonblocking())
	return done, restartable(e)
}

func sysEpollCreate1(f *cpu.TrapFrame) (uint64, unix.Errno) {
	flags := uint32(f.RDI)
	if flags&^unix.EPOLL_CLOEXEC != 0 {
		return 0, unix.EINVAL
	}
	return newEpoll(flags)
}

func sysEpollCreate(f *cpu.TrapFrame) (uint64, unix.Errno) {
	if int32(f.RDI) <= 0 {
		return 0, unix.EINVAL
	}
	return newEpoll(0)
}

func newEpoll(flags uint32) (uint64, unix.Errno) {
	if !shareAllowed(maxEpolls, func(i int) (int32, bool) { return epolls[i].Owner, epolls[i].Used }) {
		return 0, unix.ENFILE
	}
	for i := int32(0); i < maxEpolls; i++ {
		if !epolls[i].Used {
			epolls[i].Open(curProc())
			fd, e := openNew(kindEpoll, i, flags&unix.O_CLOEXEC|unix.O_RDWR)
			if e != 0 {
				epolls[i].Used = false
			}
			return fd, e
		}
	}
	return 0, unix.ENFILE
}

// sysEpollCtl adds, modifies or removes interest in a descriptor.
//
// Context: kernel (no allocation, no pointer stores).
func sysEpollCtl(f *cpu.TrapFrame) (uint64, unix.Errno) {
	epfd, op, fd, evp := f.RDI, f.RSI, f.RDX, f.R10
	ep, e := lookupFD(epfd)
	if e != 0 {
		return 0, e
	}
	target, e := lookupFD(fd)
	if e != 0 {
		return 0, e
	}
	if ep.kind != kindEpoll || target == ep {
		return 0, unix.EINVAL
	}
	if target.kind == kindInitrdFile || target.kind == kindInitrdDir || target.kind == kindTmpfs || target.kind == kindNull || target.kind == kindZero {
		return 0, unix.EPERM // regular files are always ready: Linux refuses them
	}
	file, _ := fds().File(fd)
	return 0, files.EpollCtl(callerEnv(), &epolls[ep.obj], op, file, int32(fd), evp)
}

// forgetInterest removes a closed file from every interest list, as
// closing the last descriptor of a file does on Linux.
func forgetInterest(file int32) {
	for i := range epolls {
		epolls[i].Forget(file)
	}
}

// sysEpollPwait waits for events (the signal mask argument is ignored:
// the runtime passes none).
//
// Context: kernel (no allocation, no pointer stores).
func sysEpollPwait(f *cpu.TrapFrame) (uint64, unix.Errno) {
	epfd, out, max, timeout := f.RDI, f.RSI, int(int32(f.RDX)), int64(int32(f.R10))
	ep, e := lookupFD(epfd)
	if e != 0 {
		return 0, e
	}
	if ep.kind != kindEpoll || max <= 0 || max > files.MaxInterest {
		return 0, unix.EINVAL
	}
	if e := userRange(out, uint64(max)*files.EventSize); e != 0 {
		return 0, e
	}
	n, e := files.EpollWait(callerEnv(), descs{}, &epolls[ep.obj], out, max, timeout)
	return uint64(n), e
}

func sysEpollWait(f *cpu.TrapFrame) (uint64, unix.Errno) { return sysEpollPwait(f) }
