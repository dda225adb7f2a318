package files

import (
	"encoding/binary"

	"golang.org/x/sys/unix"

	"warren.dev/mm/usercopy"
)

// EventfdMax is the largest count an eventfd holds (eventfd(2)).
const EventfdMax = 1<<64 - 2

// Eventfd is one eventfd: a counter that reads take and writes add to.
type Eventfd struct {
	Used      bool
	Owner     int32 // process slot that created it (kernel/limits.go)
	semaphore bool
	count     uint64
	seq       uint64 // changes whenever readiness may have
}

// Open makes e a new eventfd holding initval.
//
// Context: kernel (no allocation, no pointer stores).
func (e *Eventfd) Open(owner int32, initval uint32, semaphore bool) {
	*e = Eventfd{Used: true, Owner: owner, semaphore: semaphore, count: uint64(initval)}
}

// Poll reports the eventfd's EPOLL* readiness and its sequence.
//
// Context: kernel (no allocation, no pointer stores).
func (e *Eventfd) Poll() (events uint32, seq uint64) {
	if e.count > 0 {
		events |= unix.EPOLLIN | unix.EPOLLRDNORM
	}
	if e.count < EventfdMax {
		events |= unix.EPOLLOUT | unix.EPOLLWRNORM
	}
	return events, e.seq
}

// WaitWhile waits while busy reports true: EAGAIN at once for a
// non-blocking file, EINTR when a signal ends the wait.
//
// Context: kernel (no allocation, no pointer stores).
func WaitWhile[E Env](env E, nonblock bool, busy func() bool) unix.Errno {
	for busy() {
		if nonblock {
			return unix.EAGAIN
		}
		if env.Wait(0) == unix.EINTR {
			return unix.EINTR
		}
	}
	return 0
}

// EventfdRead takes the count (or 1 in semaphore mode) into the 8 bytes
// at buf, waiting while it is zero.
//
// Context: kernel (no allocation, no pointer stores).
func EventfdRead[E Env](env E, e *Eventfd, buf, n uint64, nonblock bool) (uint64, unix.Errno) {
	if n < 8 {
		return 0, unix.EINVAL
	}
	if err := WaitWhile(env, nonblock, func() bool { return e.count == 0 }); err != 0 {
		return 0, err
	}
	v := e.count
	if e.semaphore {
		v = 1
	}
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], v)
	if _, err := usercopy.Out(env, buf, b[:]); err != 0 {
		return 0, err
	}
	e.count -= v
	e.seq = NextSeq()
	env.Notify()
	return 8, 0
}

// EventfdWrite adds the 8 bytes at buf to the count, waiting while the
// sum would pass EventfdMax.
//
// Context: kernel (no allocation, no pointer stores).
func EventfdWrite[E Env](env E, e *Eventfd, buf, n uint64, nonblock bool) (uint64, unix.Errno) {
	if n < 8 {
		return 0, unix.EINVAL
	}
	var b [8]byte
	if _, err := usercopy.In(env, b[:], buf); err != 0 {
		return 0, err
	}
	v := binary.LittleEndian.Uint64(b[:])
	if v == 1<<64-1 {
		return 0, unix.EINVAL
	}
	if err := WaitWhile(env, nonblock, func() bool { return EventfdMax-e.count < v }); err != 0 {
		return 0, err
	}
	e.count += v
	e.seq = NextSeq()
	env.Notify()
	return 8, 0
}
