package kernel

import (
	"golang.org/x/sys/unix"

	"warren.dev/kernel/cpu"
)

// Readiness, eventfd and epoll. The Go runtime's netpoller blocks in
// epoll_pwait and is woken through an eventfd; later layers add sockets
// as more kinds of file. A change of readiness anywhere wakes every
// epoll_pwait sleeper (there is typically one: the netpoller), which then
// rescans its interest list.

const (
	maxEventfds = 64
	maxEpolls   = maxProcs // every Go process makes one
	maxInterest = 1024
	eventfdMax  = 1<<64 - 2
)

type eventfd struct {
	used      bool
	owner     int32 // process slot that created it (limits.go)
	semaphore bool
	count     uint64
	seq       uint64
}

type interest struct {
	file   int32 // open file description; -1 = free slot
	fd     int32
	events uint32
	data   uint64
	seen   uint64 // readiness sequence last reported, for EPOLLET
}

type epollInstance struct {
	used  bool
	owner int32 // process slot that created it (limits.go)
	n     int   // slots in use at the front of items, in any order
	items [maxInterest]interest
}

var (
	eventfds [maxEventfds]eventfd
	epolls   [maxEpolls]epollInstance
)

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
	if !shareAllowed(maxEpolls, func(i int) (int32, bool) { return epolls[i].owner, epolls[i].used }) {
		return 0, unix.ENFILE
	}
	for i := int32(0); i < maxEpolls; i++ {
		if !epolls[i].used {
			epolls[i].used, epolls[i].owner = true, curProc()
			epolls[i].n = 0
			fd, e := openNew(kindEpoll, i, flags&unix.O_CLOEXEC|unix.O_RDWR)
			if e != 0 {
				epolls[i].used = false
			}
			return fd, e
		}
	}
	return 0, unix.ENFILE
}

// epollEventSize is sizeof(struct epoll_event) on x86-64: packed.
const epollEventSize = 12

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
	inst := &epolls[ep.obj]
	file := fds()[fd].file
	idx := -1
	for i := 0; i < inst.n; i++ {
		if inst.items[i].file == file && inst.items[i].fd == int32(fd) {
			idx = i
			break
		}
	}
	var events uint32
	var data uint64
	if op != unix.EPOLL_CTL_DEL {
		var b [epollEventSize]byte
		if e := copyIn(b[:], evp); e != 0 {
			return 0, e
		}
		events = uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
		data = le64(b[4:])
	}
	switch op {
	case unix.EPOLL_CTL_ADD:
		if idx >= 0 {
			return 0, unix.EEXIST
		}
		if inst.n == maxInterest {
			return 0, unix.ENOSPC
		}
		inst.items[inst.n] = interest{file: file, fd: int32(fd), events: events, data: data, seen: ^uint64(0)}
		inst.n++
	case unix.EPOLL_CTL_MOD:
		if idx < 0 {
			return 0, unix.ENOENT
		}
		it := &inst.items[idx]
		it.events, it.data, it.seen = events, data, ^uint64(0)
	case unix.EPOLL_CTL_DEL:
		if idx < 0 {
			return 0, unix.ENOENT
		}
		inst.n--
		inst.items[idx] = inst.items[inst.n]
	default:
		return 0, unix.EINVAL
	}
	pollNotify() // a new interest may already be ready
	return 0, 0
}

// forgetInterest removes a closed file from every interest list, as
// closing the last descriptor of a file does on Linux.
func forgetInterest(file int32) {
	for i := range epolls {
		inst := &epolls[i]
		for j := 0; j < inst.n; {
			if inst.items[j].file == file {
				inst.n--
				inst.items[j] = inst.items[inst.n]
				continue
			}
			j++
		}
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
	if ep.kind != kindEpoll || max <= 0 || max > maxInterest {
		return 0, unix.EINVAL
	}
	if e := userRange(out, uint64(max)*epollEventSize); e != 0 {
		return 0, e
	}
	var deadline int64
	if timeout > 0 {
		deadline = nanotime() + timeout*1e6
	}
	for {
		if n, e := collectEvents(&epolls[ep.obj], out, max); n > 0 || e != 0 || timeout == 0 {
			return transferred(uint64(n), e)
		}
		switch sleepOn(pollKey, deadline, true) {
		case wokenTimeout:
			return 0, 0
		case wokenSignal:
			return 0, unix.EINTR
		}
	}
}

func sysEpollWait(f *cpu.TrapFrame) (uint64, unix.Errno) { return sysEpollPwait(f) }

// collectEvents writes up to max ready events to out, each copied into
// the caller's memory as it is at that moment. An event that cannot be
// copied ends the collection and leaves its item's state as it was.
//
// Context: kernel (no allocation, no pointer stores).
func collectEvents(inst *epollInstance, out uint64, max int) (int, unix.Errno) {
	n := 0
	for i := 0; i < inst.n && n < max; i++ {
		it := &inst.items[i]
		ready, seq := openFiles[it.file].poll()
		ready &= it.events | unix.EPOLLERR | unix.EPOLLHUP
		if ready == 0 || it.events&^(unix.EPOLLET|unix.EPOLLONESHOT|unix.EPOLLEXCLUSIVE|unix.EPOLLWAKEUP) == 0 {
			continue
		}
		if it.events&unix.EPOLLET != 0 && it.seen == seq {
			continue
		}
		var b [epollEventSize]byte
		b[0], b[1], b[2], b[3] = byte(ready), byte(ready>>8), byte(ready>>16), byte(ready>>24)
		put64(b[4:], it.data)
		if e := copyOut(out+uint64(n)*epollEventSize, b[:]); e != 0 {
			return n, e
		}
		if it.events&unix.EPOLLET != 0 {
			it.seen = seq
		}
		if it.events&unix.EPOLLONESHOT != 0 {
			it.events &= unix.EPOLLET | unix.EPOLLONESHOT // disarmed until EPOLL_CTL_MOD
		}
		n++
	}
	return n, 0
}
