package sockets

import (
	"encoding/binary"
	"sync"

	"golang.org/x/sys/unix"
	"gvisor.dev/gvisor/pkg/waiter"
)

// netlinkSocket is an AF_NETLINK socket of protocol NETLINK_ROUTE: each
// request sent to it is answered at once, from netstack's interfaces,
// addresses and routes, by datagrams queued for reading.
type netlinkSocket struct {
	sockState
	q waiter.Queue

	mu      sync.Mutex
	pid     uint32 // port id; 0 until bound
	groups  uint32 // multicast groups asked for (no notifications are sent)
	replies [][]byte
	closed  bool
	rcvbuf  int
	sndbuf  int
}

// nlDatagram bounds a reply datagram: Go's syscall.NetlinkRIB reads with
// a page-sized buffer.
const nlDatagram = 4096

// netlinkPorts hands out port ids.
type netlinkPorts struct {
	mu   sync.Mutex
	used map[uint32]bool
	next uint32
}

// take reserves pid, or a free one if pid is 0.
func (p *netlinkPorts) take(pid uint32) (uint32, unix.Errno) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.used == nil {
		p.used = map[uint32]bool{}
	}
	if pid == 0 {
		for p.next++; p.next == 0 || p.used[p.next]; p.next++ {
		}
		pid = p.next
	} else if p.used[pid] {
		return 0, unix.EADDRINUSE
	}
	p.used[pid] = true
	return pid, 0
}

func (p *netlinkPorts) put(pid uint32) {
	p.mu.Lock()
	delete(p.used, pid)
	p.mu.Unlock()
}

func (l *Layer) newNetlink(stype, proto int) (*netlinkSocket, unix.Errno) {
	if stype != unix.SOCK_RAW && stype != unix.SOCK_DGRAM {
		return nil, unix.ESOCKTNOSUPPORT
	}
	if proto != unix.NETLINK_ROUTE {
		return nil, unix.EPROTONOSUPPORT
	}
	s := &netlinkSocket{rcvbuf: 1 << 20, sndbuf: 1 << 20}
	s.family, s.stype, s.proto = unix.AF_NETLINK, stype, proto
	l.watch(s, &s.q)
	return s, 0
}

func (s *netlinkSocket) readiness() uint32 {
	s.mu.Lock()
	defer s.mu.Unlock()
	ev := uint32(unix.EPOLLOUT)
	if len(s.replies) > 0 {
		ev |= unix.EPOLLIN
	}
	if s.closed {
		ev |= unix.EPOLLHUP
	}
	return ev
}

func (s *netlinkSocket) close() {
	s.mu.Lock()
	s.closed = true
	s.replies = nil
	pid := s.pid
	s.mu.Unlock()
	if pid != 0 {
		s.layer.netlink.put(pid)
	}
	s.q.Notify(waiter.EventHUp | waiter.EventIn)
}

// autobind gives the socket a port id if it has none.
func (s *netlinkSocket) autobind() (uint32, unix.Errno) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return 0, unix.EBADF
	}
	if s.pid == 0 {
		pid, e := s.layer.netlink.take(0)
		if e != 0 {
			return 0, e
		}
		s.pid = pid
	}
	return s.pid, 0
}

func (s *netlinkSocket) bind(l *Layer, sa []byte) unix.Errno {
	pid, groups, e := decodeNetlink(sa)
	if e != 0 {
		return e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return unix.EBADF
	}
	if s.pid != 0 {
		if pid != 0 && pid != s.pid {
			return unix.EINVAL
		}
	} else {
		if pid, e = l.netlink.take(pid); e != 0 {
			return e
		}
		s.pid = pid
	}
	s.groups = groups
	return 0
}

func (s *netlinkSocket) name() ([]byte, unix.Errno) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return encodeNetlink(s.pid, s.groups), 0
}

// peer is the kernel: netlink sockets are never connected elsewhere.
func (s *netlinkSocket) peer() ([]byte, unix.Errno) { return encodeNetlink(0, 0), 0 }

func (s *netlinkSocket) shutdown(how int) unix.Errno {
	if how < unix.SHUT_RD || how > unix.SHUT_RDWR {
		return unix.EINVAL
	}
	return 0
}

func (s *netlinkSocket) inq() (int, unix.Errno) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.replies) == 0 {
		return 0, 0
	}
	return len(s.replies[0]), 0
}

// send takes requests addressed to the kernel (port 0) and queues the
// answers. Malformed trailing bytes are ignored, as Linux does.
func (s *netlinkSocket) send(l *Layer, b, to []byte, _ int, _ block) (int, unix.Errno) {
	if len(to) > 0 {
		pid, _, e := decodeNetlink(to)
		if e != 0 {
			return 0, e
		}
		if pid != 0 {
			return 0, unix.ECONNREFUSED // no other netlink users
		}
	}
	pid, e := s.autobind()
	if e != 0 {
		return 0, e
	}
	var out [][]byte
	for rest := b; len(rest) >= nlmsgHdrLen; {
		n := int(binary.LittleEndian.Uint32(rest))
		if n < nlmsgHdrLen || n > len(rest) {
			break
		}
		out = append(out, l.rtnetlink(rest[:n], pid)...)
		rest = rest[min(nlAlign(n), len(rest)):]
	}
	if len(out) > 0 {
		s.mu.Lock()
		s.replies = append(s.replies, out...)
		s.mu.Unlock()
		s.q.Notify(waiter.EventIn)
	}
	return len(b), 0
}

func (s *netlinkSocket) recv(l *Layer, b []byte, flags int, blk block, wantFrom bool) (recvResult, unix.Errno) {
	var res recvResult
	e := l.wait(s, waitIn, blk, 0, func() unix.Errno {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.closed {
			return unix.EBADF
		}
		if len(s.replies) == 0 {
			return unix.EAGAIN
		}
		d := s.replies[0]
		if flags&unix.MSG_PEEK == 0 {
			s.replies[0] = nil
			s.replies = s.replies[1:]
		}
		res.n = copy(b, d)
		res.ret = res.n
		if len(d) > len(b) {
			res.flags |= unix.MSG_TRUNC
			if flags&unix.MSG_TRUNC != 0 {
				res.ret = len(d)
			}
		}
		return 0
	})
	if wantFrom && e == 0 {
		res.from = encodeNetlink(0, 0)
	}
	return res, e
}

// Netlink options: buffer sizes are kept, SOL_NETLINK flags accepted.
func (s *netlinkSocket) getsockopt(_ *Layer, level, name int) ([]byte, unix.Errno) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case level == unix.SOL_SOCKET && name == unix.SO_RCVBUF:
		return intBytes(s.rcvbuf), 0
	case level == unix.SOL_SOCKET && name == unix.SO_SNDBUF:
		return intBytes(s.sndbuf), 0
	case level == unix.SOL_SOCKET && name == unix.SO_ERROR:
		return intBytes(0), 0
	}
	return nil, unix.ENOPROTOOPT
}

func (s *netlinkSocket) setsockopt(_ *Layer, level, name int, v []byte) unix.Errno {
	n, e := optInt(v, false)
	if e != 0 {
		return e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case level == unix.SOL_SOCKET && (name == unix.SO_RCVBUF || name == unix.SO_RCVBUFFORCE):
		s.rcvbuf = max(n, 0)
	case level == unix.SOL_SOCKET && (name == unix.SO_SNDBUF || name == unix.SO_SNDBUFFORCE):
		s.sndbuf = max(n, 0)
	case level == unix.SOL_NETLINK:
		// NETLINK_ADD_MEMBERSHIP, NETLINK_EXT_ACK, NETLINK_GET_STRICT_CHK...:
		// accepted; no notifications or extended acks are sent.
	default:
		return unix.ENOPROTOOPT
	}
	return 0
}
