package syscall

import (
	"math"
	"sync"

	"golang.org/x/sys/unix"
	"gvisor.dev/gvisor/pkg/tcpip/stack"
	"gvisor.dev/gvisor/pkg/waiter"

	"warren.dev/kernel/sockabi"
)

// Layer is the socket layer over one netstack: its sockets, and the kernel
// it answers.
type Layer struct {
	k  Kernel
	ns *stack.Stack

	mu    sync.Mutex
	socks map[int32]socket
	next  int32

	ready   readyQueue
	netlink netlinkPorts
}

// New returns a layer serving sockets of ns to k. Close stops it.
func New(k Kernel, ns *stack.Stack) *Layer {
	l := &Layer{k: k, ns: ns, socks: map[int32]socket{}, next: 1}
	l.ready.init()
	go l.readyLoop()
	return l
}

// Handle serves one forwarded request. OpRelease closes a socket; its
// result is not sent back.
func (l *Layer) Handle(r *sockabi.Request) (uint64, unix.Errno) {
	switch r.Op {
	case sockabi.OpRelease:
		l.release(r.Sock)
		return 0, 0
	case sockabi.OpSyscall:
		if e := lookup(r.Nr); e != nil {
			return e.Fn(l, r)
		}
	}
	return 0, unix.ENOSYS
}

// Close releases every socket and stops the readiness goroutine.
func (l *Layer) Close() {
	l.mu.Lock()
	ids := make([]int32, 0, len(l.socks))
	for id := range l.socks {
		ids = append(ids, id)
	}
	l.mu.Unlock()
	for _, id := range ids {
		l.release(id)
	}
	l.ready.stop()
}

// Sockets counts the open sockets.
func (l *Layer) Sockets() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.socks)
}

// sock is the socket behind r's descriptor.
func (l *Layer) sock(r *sockabi.Request) (socket, unix.Errno) {
	if r.Sock < 0 {
		return nil, unix.ENOTSOCK
	}
	l.mu.Lock()
	s := l.socks[r.Sock]
	l.mu.Unlock()
	if s == nil {
		return nil, unix.EBADF
	}
	return s, 0
}

// watch registers s's readiness waiter on its queue; every socket is
// watched from creation.
func (l *Layer) watch(s socket, wq *waiter.Queue) {
	st := s.state()
	st.layer = l
	st.wq = wq
	st.entry = waiter.NewFunctionEntry(waiter.AllEvents, func(waiter.EventMask) { l.notify(s) })
	wq.EventRegister(&st.entry)
}

// install numbers s, makes it a descriptor with flags (SOCK_NONBLOCK,
// SOCK_CLOEXEC) and reports its first readiness. On failure s is closed.
func (l *Layer) install(s socket, flags uint32) (uint64, unix.Errno) {
	st := s.state()
	l.mu.Lock()
	for l.socks[l.next] != nil {
		l.advance()
	}
	st.id = l.next
	l.advance()
	l.socks[st.id] = s
	l.mu.Unlock()

	fd, e := l.k.Install(st.id, flags&(unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC))
	if e != 0 {
		l.release(st.id)
		return 0, e
	}
	st.rmu.Lock()
	st.live = !st.closed
	st.rmu.Unlock()
	l.report(s)
	return uint64(fd), 0
}

func (l *Layer) advance() {
	if l.next == math.MaxInt32 {
		l.next = 1
	} else {
		l.next++
	}
}

// release forgets socket id and closes it.
func (l *Layer) release(id int32) {
	l.mu.Lock()
	s := l.socks[id]
	delete(l.socks, id)
	l.mu.Unlock()
	if s == nil {
		return
	}
	st := s.state()
	st.rmu.Lock()
	st.live, st.closed = false, true
	st.rmu.Unlock()
	if st.wq != nil {
		st.wq.EventUnregister(&st.entry)
	}
	s.close()
}

// drop closes a socket that was never installed.
func (l *Layer) drop(s socket) {
	st := s.state()
	st.wq.EventUnregister(&st.entry)
	s.close()
}
