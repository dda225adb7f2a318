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
	eventfdMax  = 1<<64 - 2
)

type eventfd struct {
	used      bool
	owner     int32 // process slot that created it (limits.go)
	semaphore bool
	count     uint64
	seq       uint64
}

var (
	eventfds [maxEventfds]eventfd
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
		e := &eventfds[of.obj]
		if e.count > 0 {
			events |= unix.EPOLLIN | unix.EPOLLRDNORM
		}
		if e.count < eventfdMax {
			events |= unix.EPOLLOUT | unix.EPOLLWRNORM
		}
		return events, e.seq
	case kindConsole:
		return unix.EPOLLOUT | unix.EPOLLWRNORM, 0
	case kindEpoll:
		return 0, 0
	case kindPipe:
		return pipes[of.obj].Poll(pipeReader(of))
	case kindSocket:
		return of.events, of.seq
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
	if !shareAllowed(maxEventfds, func(i int) (int32, bool) { return eventfds[i].owner, eventfds[i].used }) {
		return 0, unix.ENFILE
	}
	for i := int32(0); i < maxEventfds; i++ {
		if !eventfds[i].used {
			eventfds[i] = eventfd{used: true, owner: curProc(), semaphore: flags&unix.EFD_SEMAPHORE != 0, count: uint64(uint32(initval))}
			fd, e := openNew(kindEventfd, i, flags&(unix.O_CLOEXEC|unix.O_NONBLOCK)|unix.O_RDWR)
			if e != 0 {
				eventfds[i].used = false
			}
			return fd, e
		}
	}
	return 0, unix.ENFILE
}

// waitWhile blocks while busy reports true and the file allows blocking:
// EAGAIN for a non-blocking file, EINTR when a signal ends the wait.
//
// Context: kernel (no allocation, no pointer stores).
func waitWhile(of *openFile, busy func() bool) unix.Errno {
	for busy() {
		if of.nonblocking() {
			return unix.EAGAIN
		}
		if sleepOn(pollKey, 0, true) == wokenSignal {
			return unix.EINTR
		}
	}
	return 0
}

// eventfdRead returns the counter (or 1 in semaphore mode), blocking
// while it is zero.
//
// Context: kernel (no allocation, no pointer stores).
func eventfdRead(of *openFile, buf, n uint64) (uint64, unix.Errno) {
	if n < 8 {
		return 0, unix.EINVAL
	}
	e := &eventfds[of.obj]
	if err := waitWhile(of, func() bool { return e.count == 0 }); err != 0 {
		return 0, err
	}
	v := e.count
	if e.semaphore {
		v = 1
	}
	if err := store64(buf, v); err != 0 {
		return 0, err
	}
	e.count -= v
	e.seq++
	pollNotify()
	return 8, 0
}

// eventfdWrite adds to the counter, blocking while it would overflow.
//
// Context: kernel (no allocation, no pointer stores).
func eventfdWrite(of *openFile, buf, n uint64) (uint64, unix.Errno) {
	if n < 8 {
		return 0, unix.EINVAL
	}
	v, err := load64(buf)
	if err != 0 {
		return 0, err
	}
	if v == 1<<64-1 {
		return 0, unix.EINVAL
	}
	e := &eventfds[of.obj]
	if err := waitWhile(of, func() bool { return eventfdMax-e.count < v }); err != 0 {
		return 0, err
	}
	e.count += v
	e.seq++
	pollNotify()
	return 8, 0
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
