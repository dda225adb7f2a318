package sockets

import (
	"encoding/binary"

	"golang.org/x/sys/unix"
)

// Socket options of unix sockets.

func (s *unixSocket) getsockopt(_ *Layer, level, name int) ([]byte, unix.Errno) {
	if level != unix.SOL_SOCKET {
		return nil, unix.ENOPROTOOPT
	}
	s.space.mu.Lock()
	defer s.space.mu.Unlock()
	switch name {
	case unix.SO_SNDBUF:
		return intBytes(s.sndbuf), 0
	case unix.SO_RCVBUF:
		return intBytes(s.rcvbuf), 0
	case unix.SO_ERROR:
		e := s.err
		s.err = 0
		return intBytes(int(e)), 0
	case unix.SO_PASSCRED:
		return intBytes(b2i(s.passcred)), 0
	case unix.SO_ACCEPTCONN:
		return intBytes(b2i(s.listening)), 0
	case unix.SO_REUSEADDR, unix.SO_KEEPALIVE, unix.SO_BROADCAST:
		return intBytes(0), 0
	case unix.SO_PEERCRED:
		// uid and gid: root; an unconnected socket's are Linux's overflow ids.
		var pid, id int32 = 0, 65534
		if s.other != nil && (s.connected || !s.connection()) {
			pid, id = s.other.pid, 0
		}
		b := binary.LittleEndian.AppendUint32(nil, uint32(pid))
		b = binary.LittleEndian.AppendUint32(b, uint32(id))
		return binary.LittleEndian.AppendUint32(b, uint32(id)), 0
	case unix.SO_RCVTIMEO:
		return timevalBytes(timeout(&s.rcvTimeo)), 0
	case unix.SO_SNDTIMEO:
		return timevalBytes(timeout(&s.sndTimeo)), 0
	}
	return nil, unix.ENOPROTOOPT
}

func (s *unixSocket) setsockopt(_ *Layer, level, name int, v []byte) unix.Errno {
	if level != unix.SOL_SOCKET {
		return unix.ENOPROTOOPT
	}
	switch name {
	case unix.SO_RCVTIMEO, unix.SO_SNDTIMEO:
		d, e := parseTimeval(v)
		if e != 0 {
			return e
		}
		if name == unix.SO_RCVTIMEO {
			s.rcvTimeo.Store(int64(d))
		} else {
			s.sndTimeo.Store(int64(d))
		}
		return 0
	}
	n, e := optInt(v, false)
	if e != 0 {
		return e
	}
	s.space.mu.Lock()
	defer s.space.mu.Unlock()
	switch name {
	case unix.SO_SNDBUF, unix.SO_SNDBUFFORCE:
		s.sndbuf = bufSize(n, name == unix.SO_SNDBUFFORCE)
	case unix.SO_RCVBUF, unix.SO_RCVBUFFORCE:
		s.rcvbuf = bufSize(n, name == unix.SO_RCVBUFFORCE)
	case unix.SO_PASSCRED:
		s.passcred = n != 0
	case unix.SO_REUSEADDR, unix.SO_KEEPALIVE, unix.SO_BROADCAST:
		// Accepted and without effect, as on Linux's unix sockets.
	default:
		return unix.ENOPROTOOPT
	}
	return 0
}

// bufSize is what SO_SNDBUF and SO_RCVBUF store, as Linux: the value
// doubled (room for bookkeeping), capped unless forced, and at least the
// minimum.
func bufSize(n int, force bool) int {
	n = max(n, 0)
	if !force {
		n = min(n, unixMaxBuf)
	}
	return max(min(n, 1<<30)*2, unixMinBuf)
}
