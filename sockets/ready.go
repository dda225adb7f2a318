package sockets

import (
	"bytes"
	"sync"

	"golang.org/x/sys/unix"
	"gvisor.dev/gvisor/pkg/waiter"
)

// Readiness reaches the kernel through one goroutine: netstack calls the
// sockets' waiters with its own locks held, so a waiter only queues its
// socket, and the goroutine asks the socket for its events and calls
// Kernel.Ready.
//
// A report goes out when the events differ from the last report, or when
// they include one a caller found missing (EAGAIN) since: that is the
// edge an edge-triggered poller waits for, even if the last report
// already held the event.

// readyQueue holds sockets whose readiness may have changed.
type readyQueue struct {
	mu      sync.Mutex
	pending []socket
	wake    chan struct{}
	done    chan struct{}
	once    sync.Once
}

func (q *readyQueue) init() {
	q.wake = make(chan struct{}, 1)
	q.done = make(chan struct{})
}

func (q *readyQueue) stop() { q.once.Do(func() { close(q.done) }) }

// notify queues s once until the goroutine takes it.
//
// Context: netstack's waiter callback; it must not call into netstack.
func (l *Layer) notify(s socket) {
	if s.state().queued.Swap(true) {
		return
	}
	q := &l.ready
	q.mu.Lock()
	q.pending = append(q.pending, s)
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

func (l *Layer) readyLoop() {
	q := &l.ready
	var batch []socket
	for {
		select {
		case <-q.wake:
		case <-q.done:
			return
		}
		q.mu.Lock()
		batch, q.pending = q.pending, batch[:0]
		q.mu.Unlock()
		for i, s := range batch {
			s.state().queued.Store(false)
			l.report(s)
			batch[i] = nil
		}
	}
}

// report tells the kernel s's events if they changed or include one a
// caller is waiting for. A change of events may be a change of state
// (connected, reset): the addresses go first, so a woken caller finds
// them.
func (l *Layer) report(s socket) {
	st := s.state()
	st.rmu.Lock()
	defer st.rmu.Unlock()
	if !st.live {
		return
	}
	ev := s.readiness()
	if ev == st.last && ev&st.want.Load() == 0 {
		return
	}
	if ev != st.last && addrsMayChange(st, ev) {
		l.syncAddrsLocked(s)
	}
	st.want.And(^ev)
	st.last = ev
	l.k.Ready(st.id, ev)
}

// stateEvents are the events whose change may mean a change of
// connection state: reset, closed, shut down.
const stateEvents = uint32(waiter.EventHUp | waiter.EventErr | waiter.EventRdHUp)

// addrsMayChange reports whether a change of s's events to ev may come
// with a change of its addresses. Once a socket has both, they change
// only by a call (bind, connect), which syncs them itself, or when its
// connection ends, which changes a state event. A connected stream's
// reads and writes flip only the others, and asking netstack for both
// addresses at each flip was a measurable part of a request.
func addrsMayChange(st *sockState, ev uint32) bool {
	return st.local == nil || st.peer == nil || (ev^st.last)&stateEvents != 0
}

// syncAddrs gives the kernel s's addresses if they changed, for its
// getsockname and getpeername.
func (l *Layer) syncAddrs(s socket) {
	st := s.state()
	st.rmu.Lock()
	defer st.rmu.Unlock()
	if st.live {
		l.syncAddrsLocked(s)
	}
}

// syncUnbound is syncAddrs for a socket the kernel still sees unbound.
func (l *Layer) syncUnbound(s socket) {
	st := s.state()
	st.rmu.Lock()
	defer st.rmu.Unlock()
	if st.live && st.local == nil {
		l.syncAddrsLocked(s)
	}
}

func (l *Layer) syncAddrsLocked(s socket) {
	st := s.state()
	local, e := s.name()
	if e != 0 || unbound(local) {
		local = nil // the kernel answers for unbound sockets
	}
	if !bytes.Equal(local, st.local) {
		st.local = local
		l.k.SetAddr(st.id, false, local)
	}
	peer, e := s.peer()
	if e != 0 {
		peer = nil
	}
	if !bytes.Equal(peer, st.peer) {
		st.peer = peer
		l.k.SetAddr(st.id, true, peer)
	}
}

// unbound reports whether sa is the name of an unbound socket: all zero
// but the family.
func unbound(sa []byte) bool {
	for _, b := range sa[min(2, len(sa)):] {
		if b != 0 {
			return false
		}
	}
	return true
}

// again records that a caller on s found events missing (the call says
// EAGAIN) and reports at once, so the kernel's state is current before
// the caller polls and any arrival from now on is an edge.
func (l *Layer) again(s socket, events uint32) {
	s.state().want.Or(events)
	l.report(s)
}

// Event sets for again.
const (
	evIn  = unix.EPOLLIN
	evOut = unix.EPOLLOUT
)

// endpointEvents converts netstack's readiness to EPOLL* bits (the same
// values).
func endpointEvents(m waiter.EventMask) uint32 { return m.ToLinux() }
