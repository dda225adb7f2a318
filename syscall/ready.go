package syscall

import (
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
// caller is waiting for.
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
	st.want.And(^ev)
	st.last = ev
	l.k.Ready(st.id, ev)
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
