package sockets

import (
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"

	"warren.dev/kernel/sockabi"
	wnet "warren.dev/net"
)

// Serve serves the calls s forwards, over the default network stack (or,
// when the system started none, a stack with only loopback), after
// publishing /etc/resolv.conf and the other files. It returns only if s
// stops handing out calls.
func Serve(s Server) error {
	st := wnet.Default()
	if st == nil {
		var err error
		if st, err = wnet.Start(wnet.Config{}, nil); err != nil {
			return err
		}
		defer st.Close()
	}
	l := New(s, st.Netstack())
	defer l.Close()
	serveDirect(l, newLookCache(s))
	done := make(chan struct{})
	defer close(done)
	publishFiles(s, st, done)
	return l.Serve(s)
}

// Serve takes calls from s in one goroutine and admits them in order. A
// call on a non-blocking descriptor cannot sleep, so Serve runs it at
// once, saving the hand-off to another goroutine that dominates a short
// call's cost, and its reply goes with the wait for the next call; any
// other call runs in a worker, so that a call that blocks never holds up
// the others.
func (l *Layer) Serve(s Server) error {
	w := workers{work: make(chan job)}
	var id, res uint64 // the call answered with the next wait, if id is not 0
	var re unix.Errno
	for {
		var j job
		e := s.Next(&j.r.Request, id, res, re)
		id = 0
		switch e {
		case 0:
			if j.r.Op == sockabi.OpInterrupt {
				l.intr.fire(j.r.Args[0])
				continue
			}
			j.s, j.e = l.admit(&j.r)
			if j.r.Op == sockabi.OpSyscall && !maySleep(&j.r) {
				id = j.r.ID
				res, re = l.run(&j.r, j.s, j.e)
				continue
			}
			l.intr.watch(&j.r)
			w.submit(l, s, j)
		case unix.EINTR:
		default:
			return e
		}
	}
}

// job is an admitted request.
type job struct {
	r call
	s socket
	e unix.Errno
}

// maxIdle bounds the workers kept waiting for calls, and idleTimeout is
// how long one waits before it ends: the workers are goroutines of the
// program's own runtime, counted by runtime.NumGoroutine and shown in its
// goroutine profiles, so the pool shrinks back after a burst of blocking
// calls rather than keeping goroutines a program on Linux would not see
// (net/http's TestTransportPersistConnLeak counts them).
const (
	maxIdle     = 32
	idleTimeout = 100 * time.Millisecond
)

// workers runs calls on goroutines that wait for the next call when done,
// and starts a new one whenever none is waiting.
type workers struct {
	work chan job
	idle atomic.Int32
}

func (w *workers) submit(l *Layer, s Server, j job) {
	select {
	case w.work <- j:
	default:
		go w.run(l, s, j)
	}
}

func (w *workers) run(l *Layer, s Server, j job) {
	t := time.NewTimer(idleTimeout)
	for {
		res, e := l.run(&j.r, j.s, j.e)
		l.intr.done(j.r.ID)
		s.Reply(j.r.ID, res, e)
		if w.idle.Add(1) > maxIdle {
			w.idle.Add(-1)
			return
		}
		t.Reset(idleTimeout)
		select {
		case j = <-w.work:
			w.idle.Add(-1)
		case <-t.C:
			// submit never waits for a worker, so none that ends misses a job.
			w.idle.Add(-1)
			return
		}
	}
}
