package sockets

import (
	"time"

	"golang.org/x/sys/unix"
	"gvisor.dev/gvisor/pkg/waiter"
)

// wait runs op until it stops saying EAGAIN. A non-blocking call tries
// once; a blocking one sleeps on s's queue for events between tries, for
// at most timeout (0: no limit), then says EAGAIN as Linux does when
// SO_RCVTIMEO or SO_SNDTIMEO expires, or until its caller has a signal
// (errInterrupted). The caller's goroutine blocks, never the serve loop.
func (l *Layer) wait(s socket, events waiter.EventMask, blk block, timeout time.Duration, op func() unix.Errno) unix.Errno {
	e := op()
	if e != unix.EAGAIN {
		return e
	}
	if blk.ok {
		e = sleepOn(s.state().wq, events, timeout, blk.interrupted, op)
	}
	if e == unix.EAGAIN {
		l.again(s, endpointEvents(events)&(evIn|evOut))
	}
	return e
}

// sleepOn registers on q before retrying, so no event between the failed
// try and the sleep is lost.
func sleepOn(q *waiter.Queue, events waiter.EventMask, timeout time.Duration, interrupted <-chan struct{}, op func() unix.Errno) unix.Errno {
	entry, ch := waiter.NewChannelEntry(events)
	q.EventRegister(&entry)
	defer q.EventUnregister(&entry)
	var expired <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(timeout)
		defer t.Stop()
		expired = t.C
	}
	for {
		if e := op(); e != unix.EAGAIN {
			return e
		}
		select {
		case <-ch:
		case <-expired:
			return unix.EAGAIN
		case <-interrupted:
			return errInterrupted(timeout > 0)
		}
	}
}
