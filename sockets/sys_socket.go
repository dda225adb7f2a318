package sockets

import (
	"golang.org/x/sys/unix"
)

// Handlers for making, naming and connecting sockets.

// i32 is a C int argument (Linux ignores the upper half of the register).
func i32(v uint64) int { return int(int32(v)) }

// sockFlags are the flags accept4 takes.
const sockFlags = unix.SOCK_NONBLOCK | unix.SOCK_CLOEXEC

// bind(fd, addr, addrlen)
func sysBind(l *Layer, r *call) (uint64, unix.Errno) {
	s, e := l.sock(r)
	if e != 0 {
		return 0, e
	}
	sa, e := readSockaddr(l.caller(r), r.Args[1], r.Args[2])
	if e != 0 {
		return 0, e
	}
	e = s.bind(l, sa)
	l.syncAddrs(s)
	return 0, e
}

// listen(fd, backlog)
func sysListen(l *Layer, r *call) (uint64, unix.Errno) {
	s, e := l.sock(r)
	if e != 0 {
		return 0, e
	}
	ls, ok := s.(listener)
	if !ok {
		return 0, unix.EOPNOTSUPP
	}
	e = ls.listen(int32(r.Args[1]))
	l.syncAddrs(s)
	l.report(s)
	return 0, e
}

// accept(fd, addr, addrlen)
func sysAccept(l *Layer, r *call) (uint64, unix.Errno) {
	return accept(l, r, 0)
}

// accept4(fd, addr, addrlen, flags)
func sysAccept4(l *Layer, r *call) (uint64, unix.Errno) {
	flags := i32(r.Args[3])
	if flags&^sockFlags != 0 {
		return 0, unix.EINVAL
	}
	return accept(l, r, flags)
}

func accept(l *Layer, r *call, flags int) (uint64, unix.Errno) {
	s, e := l.sock(r)
	if e != 0 {
		return 0, e
	}
	ls, ok := s.(listener)
	if !ok {
		return 0, unix.EOPNOTSUPP
	}
	c, addr, lenAddr := l.caller(r), r.Args[1], r.Args[2]
	if addr != 0 {
		// Check the length before a connection is taken.
		n, e := getU32(c, lenAddr)
		if e != 0 {
			return 0, e
		}
		if int32(n) < 0 {
			return 0, unix.EINVAL
		}
	}
	ns, peer, e := ls.accept(l, l.blocking(r, 0))
	if e != 0 {
		return 0, e
	}
	l.report(s)
	if addr != 0 {
		if e := writeSockaddr(c, peer, addr, lenAddr); e != 0 {
			l.close(ns)
			return 0, e
		}
	}
	return l.accepted(c, ns, uint32(flags))
}

// connect(fd, addr, addrlen)
func sysConnect(l *Layer, r *call) (uint64, unix.Errno) {
	s, e := l.sock(r)
	if e != 0 {
		return 0, e
	}
	sa, e := readSockaddr(l.caller(r), r.Args[1], r.Args[2])
	if e != 0 {
		return 0, e
	}
	switch s := s.(type) {
	case connector:
		e = s.connect(l, sa, l.blocking(r, 0))
		l.syncAddrs(s)
		l.report(s)
		return 0, e
	case *netlinkSocket:
		// Only the kernel (port 0) can be a netlink peer here.
		_, _, e := decodeNetlink(sa)
		return 0, e
	}
	return 0, unix.EOPNOTSUPP
}

// shutdown(fd, how)
func sysShutdown(l *Layer, r *call) (uint64, unix.Errno) {
	s, e := l.sock(r)
	if e != 0 {
		return 0, e
	}
	e = s.shutdown(i32(r.Args[1]))
	l.report(s)
	return 0, e
}
