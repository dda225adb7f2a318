package sockets

import (
	"golang.org/x/sys/unix"
)

// getsockopt(fd, level, name, optval, optlen)
func sysGetsockopt(l *Layer, r *call) (uint64, unix.Errno) {
	s, e := l.sock(r)
	if e != 0 {
		return 0, e
	}
	level, name, val, lenAddr := i32(r.Args[1]), i32(r.Args[2]), r.Args[3], r.Args[4]
	c := l.caller(r)
	n, e := getU32(c, lenAddr)
	if e != 0 {
		return 0, e
	}
	if int32(n) < 0 {
		return 0, unix.EINVAL
	}
	v, e := commonOpt(s, level, name)
	if e == unix.ENOPROTOOPT {
		v, e = s.getsockopt(l, level, name)
	}
	if e != 0 {
		return 0, e
	}
	v = v[:min(len(v), int(n))]
	if e := c.CopyOut(val, v); e != 0 {
		return 0, e
	}
	return 0, putU32(c, lenAddr, uint32(len(v)))
}

// commonOpt answers the read-only options every socket has.
func commonOpt(s socket, level, name int) ([]byte, unix.Errno) {
	st := s.state()
	if level == unix.SOL_SOCKET {
		switch name {
		case unix.SO_TYPE:
			return intBytes(st.stype), 0
		case unix.SO_DOMAIN:
			return intBytes(st.family), 0
		case unix.SO_PROTOCOL:
			return intBytes(st.proto), 0
		}
	}
	return nil, unix.ENOPROTOOPT
}

// setsockopt(fd, level, name, optval, optlen)
func sysSetsockopt(l *Layer, r *call) (uint64, unix.Errno) {
	s, e := l.sock(r)
	if e != 0 {
		return 0, e
	}
	level, name, val, n := i32(r.Args[1]), i32(r.Args[2]), r.Args[3], int32(r.Args[4])
	if n < 0 {
		return 0, unix.EINVAL
	}
	v := make([]byte, min(n, maxOptLen))
	if e := l.caller(r).CopyIn(val, v); e != 0 {
		return 0, e
	}
	if _, e := commonOpt(s, level, name); e == 0 {
		return 0, unix.ENOPROTOOPT // read-only
	}
	return 0, s.setsockopt(l, level, name, v)
}
