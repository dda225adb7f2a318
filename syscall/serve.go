package syscall

import (
	"sync/atomic"

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
	done := make(chan struct{})
	defer close(done)
	publishFiles(s, st, done)
	return l.Serve(s)
}

// Serve takes calls from s in one goroutine and runs each in a worker,
// so a call that blocks never holds up the others.
func (l *Layer) Serve(s Server) error {
	w := workers{work: make(chan sockabi.Request)}
	for {
		var r sockabi.Request
		switch e := s.Next(&r); e {
		case 0:
			w.submit(l, s, r)
		case unix.EINTR:
		default:
			return e
		}
	}
}

// maxIdle bounds the workers kept waiting for calls.
const maxIdle = 32

// workers runs calls on goroutines that wait for the next call when done,
// and starts a new one whenever none is waiting.
type workers struct {
	work chan sockabi.Request
	idle atomic.Int32
}

func (w *workers) submit(l *Layer, s Server, r sockabi.Request) {
	select {
	case w.work <- r:
	default:
		go w.run(l, s, r)
	}
}

func (w *workers) run(l *Layer, s Server, r sockabi.Request) {
	for {
		res, e := l.Handle(&r)
		if r.Op != sockabi.OpRelease {
			s.Reply(r.ID, res, e)
		}
		if w.idle.Add(1) > maxIdle {
			w.idle.Add(-1)
			return
		}
		r = <-w.work
		w.idle.Add(-1)
	}
}
