package sockets

import (
	"sync"

	"golang.org/x/sys/unix"

	"warren.dev/kernel/sockabi"
)

// Signals end blocking socket calls as on Linux: when the caller of a
// request the layer is serving gets a signal, the kernel forwards
// OpInterrupt naming it, and a call sleeping for it stops. It replies
// sockabi.ErrRestart when it had done nothing (the kernel then restarts
// it after an SA_RESTART handler and fails it with EINTR otherwise), EINTR
// when a timeout was set (Linux's sock_intr_errno), or what it had done so
// far. Only requests on blocking descriptors are watched: the others
// never sleep.

// interrupt is the signal state of one request being served.
type interrupt struct {
	once sync.Once
	ch   chan struct{} // closed by the first OpInterrupt
}

func (i *interrupt) fire() { i.once.Do(func() { close(i.ch) }) }

// interrupts maps the requests being served on blocking descriptors to
// their interrupt state.
type interrupts struct {
	mu sync.Mutex
	m  map[uint64]*interrupt
}

// maySleep reports whether request r is a call that may sleep: one on a
// blocking descriptor. It decides which calls Serve hands to a worker,
// which it watches for signals, and which Direct declines.
func maySleep(r *call) bool {
	return r.Op == sockabi.OpSyscall && r.Flags&unix.O_NONBLOCK == 0
}

// watch registers request r if it may sleep. Serve calls it as it admits
// r, before any OpInterrupt for r can be handed out.
func (in *interrupts) watch(r *call) {
	if !maySleep(r) {
		return
	}
	in.mu.Lock()
	if in.m == nil {
		in.m = map[uint64]*interrupt{}
	}
	in.m[r.ID] = &interrupt{ch: make(chan struct{})}
	in.mu.Unlock()
}

// done forgets request id once it is replied to.
func (in *interrupts) done(id uint64) {
	in.mu.Lock()
	delete(in.m, id)
	in.mu.Unlock()
}

// fire interrupts request id; an id not being served is ignored (its
// reply crossed the interrupt).
func (in *interrupts) fire(id uint64) {
	in.mu.Lock()
	i := in.m[id]
	in.mu.Unlock()
	if i != nil {
		i.fire()
	}
}

// of returns the channel closed when request id is interrupted; nil (never
// ready) when it is not watched.
func (in *interrupts) of(id uint64) <-chan struct{} {
	in.mu.Lock()
	defer in.mu.Unlock()
	if i := in.m[id]; i != nil {
		return i.ch
	}
	return nil
}

// block says whether a call may sleep and what ends its sleep early.
type block struct {
	ok          bool
	interrupted <-chan struct{} // closed when the caller has a signal
}

// blocking says how request r may wait, with message flags msg: not at
// all on an O_NONBLOCK descriptor or with MSG_DONTWAIT.
func (l *Layer) blocking(r *call, msg int) block {
	if !maySleep(r) || msg&unix.MSG_DONTWAIT != 0 {
		return block{}
	}
	return block{ok: true, interrupted: l.intr.of(r.ID)}
}

// errInterrupted is what a call whose sleep a signal ended replies when
// it did nothing: EINTR if it had a timeout, else a restart.
func errInterrupted(timeout bool) unix.Errno {
	if timeout {
		return unix.EINTR
	}
	return sockabi.ErrRestart
}
