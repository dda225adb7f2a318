package sockets

import (
	"sync"

	"golang.org/x/sys/unix"
	"gvisor.dev/gvisor/pkg/tcpip/stack"
	"gvisor.dev/gvisor/pkg/waiter"

	"warren.dev/kernel/sockabi"
)

// Layer is the socket layer over one netstack: its sockets, by the
// kernel's numbers, and the kernel it answers.
type Layer struct {
	k  Kernel
	ns *stack.Stack

	mu    sync.Mutex
	socks map[int32]socket

	ready   readyQueue
	netlink netlinkPorts
	unix    unixSpace
	intr    interrupts
}

// New returns a layer serving sockets of ns to k. Close stops it.
func New(k Kernel, ns *stack.Stack) *Layer {
	l := &Layer{k: k, ns: ns, socks: map[int32]socket{}}
	l.unix.names = map[unixKey]*unixSocket{}
	l.ready.init()
	go l.readyLoop()
	return l
}

// Handle serves one request, waiting as long as the call does.
func (l *Layer) Handle(r *sockabi.Request) (uint64, unix.Errno) {
	c := &call{Request: *r}
	s, e := l.admit(c)
	return l.run(c, s, e)
}

// admit does the part of a request that must keep the kernel's order:
// the first request naming a socket makes its endpoint, and a release
// forgets the socket (which run then closes). Serve admits requests one
// by one as they come, before running them concurrently.
//
// Both halves of a socket pair are made on the first request naming
// either, a release among them: the half that was never used must still
// be closed for the other to see it.
func (l *Layer) admit(r *call) (socket, unix.Errno) {
	call := r.Op == sockabi.OpSyscall && lookup(r.Nr) != nil
	pair := r.Domain == unix.AF_UNIX && r.Pair >= 0
	l.mu.Lock()
	s := l.socks[r.Sock]
	if s != nil || r.Sock < 0 || !call && !(pair && r.Op == sockabi.OpRelease) {
		if r.Op == sockabi.OpRelease {
			delete(l.socks, r.Sock)
		}
		l.mu.Unlock()
		if s == nil && call {
			return nil, unix.ENOTSOCK
		}
		return s, 0
	}
	var (
		other socket
		e     unix.Errno
	)
	if pair {
		s, other, e = l.newPair(int(r.Type), int(r.Protocol))
	} else {
		s, e = l.newSocket(int(r.Domain), int(r.Type), int(r.Protocol))
	}
	if e == 0 {
		l.socks[r.Sock] = s
		if other != nil {
			l.socks[r.Pair] = other
		}
		setOwner(s, other, r.PID)
	}
	if r.Op == sockabi.OpRelease {
		delete(l.socks, r.Sock)
	}
	l.mu.Unlock()
	if e != 0 {
		return nil, e
	}
	if other != nil {
		l.start(other, r.Pair)
		l.report(other)
	}
	if r.Op == sockabi.OpRelease {
		return s, 0
	}
	l.start(s, r.Sock)
	l.report(s)
	return s, 0
}

// run serves an admitted request.
func (l *Layer) run(r *call, s socket, e unix.Errno) (uint64, unix.Errno) {
	switch {
	case r.Op == sockabi.OpRelease:
		if s != nil {
			l.close(s)
		}
		return 0, 0
	case r.Op != sockabi.OpSyscall:
		return 0, unix.ENOSYS
	case e != 0:
		return 0, e
	}
	if ent := lookup(r.Nr); ent != nil {
		return ent.Fn(l, r)
	}
	return 0, unix.ENOSYS
}

// newSocket makes the endpoint for socket(domain, typ, proto).
func (l *Layer) newSocket(domain, typ, proto int) (socket, unix.Errno) {
	switch domain {
	case unix.AF_INET, unix.AF_INET6:
		s, e := l.newInet(domain, typ, proto)
		if e != 0 {
			return nil, e
		}
		return s, 0
	case unix.AF_NETLINK:
		s, e := l.newNetlink(typ, proto)
		if e != 0 {
			return nil, e
		}
		return s, 0
	case unix.AF_UNIX:
		s, e := l.newUnix(typ, proto)
		if e != 0 {
			return nil, e
		}
		return s, 0
	}
	return nil, unix.EAFNOSUPPORT
}

// setOwner gives new unix sockets (a pair's halves) the credentials of
// the process that first used them, which their peers see.
func setOwner(s, other socket, pid int32) {
	for _, x := range []socket{s, other} {
		if us, ok := x.(*unixSocket); ok {
			us.pid = pid
		}
	}
}

// newPair makes the two halves of a socketpair (AF_UNIX only).
func (l *Layer) newPair(typ, proto int) (socket, socket, unix.Errno) {
	a, b, e := l.newUnixPair(typ, proto)
	if e != 0 {
		return nil, nil, e
	}
	return a, b, 0
}

// Close releases every socket and stops the readiness goroutine.
func (l *Layer) Close() {
	l.mu.Lock()
	socks := l.socks
	l.socks = map[int32]socket{}
	l.mu.Unlock()
	for _, s := range socks {
		l.close(s)
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
func (l *Layer) sock(r *call) (socket, unix.Errno) {
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

// start gives s the kernel's number: its readiness and addresses go to
// the kernel from now on.
func (l *Layer) start(s socket, sock int32) {
	st := s.state()
	st.rmu.Lock()
	st.id = sock
	st.live = !st.closed
	st.rmu.Unlock()
}

// accepted makes a descriptor in c for a socket the layer created, with
// flags (SOCK_NONBLOCK, SOCK_CLOEXEC). On failure s is closed.
func (l *Layer) accepted(c caller, s socket, flags uint32) (uint64, unix.Errno) {
	st := s.state()
	fd, sock, e := c.Install(flags&(unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC), int32(st.family), int32(st.stype), int32(st.proto))
	if e != 0 {
		l.close(s)
		return 0, e
	}
	l.mu.Lock()
	l.socks[sock] = s
	l.mu.Unlock()
	l.start(s, sock)
	// The caller learns the descriptor from the reply: its addresses
	// must be there first.
	l.syncAddrs(s)
	l.report(s)
	return uint64(fd), 0
}

// close stops reporting s and closes it.
func (l *Layer) close(s socket) {
	st := s.state()
	st.rmu.Lock()
	st.live, st.closed = false, true
	st.rmu.Unlock()
	st.wq.EventUnregister(&st.entry)
	s.close()
}
