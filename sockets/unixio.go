package sockets

import (
	"slices"

	"golang.org/x/sys/unix"
	"gvisor.dev/gvisor/pkg/waiter"
)

// Sending and receiving on unix sockets: a stream keeps byte order and
// merges sends, datagrams and seqpacket messages keep their boundaries.

// send queues b at the peer (or, for a datagram socket, the socket named
// by to). A blocking stream send waits until all of b is queued; after a
// timeout or error part-way, the count so far is the result.
func (s *unixSocket) send(l *Layer, b, to []byte, flags int, blk block) (int, unix.Errno) {
	return s.sendRights(l, b, to, flags, blk, nil, 0)
}

// sendRights is send from process pid with descriptors in flight
// (SCM_RIGHTS slots): they go with the first bytes queued, and *rights is
// cleared then; a stream never sends them without data.
func (s *unixSocket) sendRights(l *Layer, b, to []byte, flags int, blk block, rights *[]int32, pid int32) (int, unix.Errno) {
	if flags&unix.MSG_OOB != 0 {
		return 0, unix.EOPNOTSUPP
	}
	total := 0
	e := l.wait(s, waitOut, blk, timeout(&s.sndTimeo), func() unix.Errno {
		n, t, e := s.sendOnce(b[total:], to, rights, pid)
		total += n
		if t != nil {
			t.Notify(waiter.EventIn)
		}
		switch {
		case e != 0:
			return e
		case s.stream() && blk.ok && total < len(b):
			return unix.EAGAIN
		}
		return 0
	})
	if total > 0 {
		return total, 0
	}
	return 0, e
}

// sendOnce queues what fits of b without waiting (with the descriptors
// in *rights, if any) and returns the count and the receiver's queue to
// notify.
func (s *unixSocket) sendOnce(b, to []byte, rights *[]int32, pid int32) (int, *waiter.Queue, unix.Errno) {
	s.space.mu.Lock()
	defer s.space.mu.Unlock()
	t, e := s.destLocked(to)
	if e != 0 {
		return 0, nil, e
	}
	n, room := len(b), s.sndbuf-s.wmem
	switch {
	case s.stream() && n == 0:
		return 0, nil, 0
	case s.stream():
		n = min(n, room)
	case n > s.sndbuf-32: // Linux's limit: a datagram must fit the buffer
		return 0, nil, unix.EMSGSIZE
	case n > room:
		n = 0
	}
	if n <= 0 && (s.stream() || len(b) > 0) {
		return 0, nil, unix.EAGAIN
	}
	if !s.connection() && t.full() {
		t.blocked[s] = true
		return 0, nil, unix.EAGAIN
	}
	var from []byte
	if s.addr != "" {
		from = encodeUnix(s.addr)
	}
	m := unixMsg{b: slices.Clone(b[:n]), from: from, sender: s, pid: pid}
	if rights != nil {
		m.rights, *rights = *rights, nil
	}
	t.rq = append(t.rq, m)
	s.wmem += n
	return n, &t.q, 0
}

// destLocked is the socket a send goes to: the connected peer, or a
// datagram socket's destination.
func (s *unixSocket) destLocked(to []byte) (*unixSocket, unix.Errno) {
	switch {
	case s.closed:
		return nil, unix.EBADF
	case s.shut&shutSend != 0:
		return nil, unix.EPIPE
	case s.stream() && len(to) > 0 && s.connected:
		return nil, unix.EISCONN
	case s.stream() && len(to) > 0:
		return nil, unix.EOPNOTSUPP
	case s.connection() && !s.connected:
		return nil, unix.ENOTCONN
	case s.connection(): // a seqpacket socket ignores to, as Linux
		if s.other.closed || s.other.shut&shutRcv != 0 {
			return nil, unix.EPIPE
		}
		return s.other, 0
	}
	t := s.other
	if len(to) > 0 {
		name, auto, e := unixName(to)
		if e != 0 || auto {
			return nil, unix.EINVAL
		}
		if t, e = s.lookupLocked(name); e != 0 {
			return nil, e
		}
	}
	switch {
	case t == nil:
		return nil, unix.ENOTCONN
	case t.closed:
		if t == s.other {
			s.other = nil // Linux disconnects from a dead peer
		}
		return nil, unix.ECONNREFUSED
	case t.other != nil && t.other != s:
		return nil, unix.EPERM
	case t.shut&shutRcv != 0:
		return nil, unix.EPIPE
	}
	return t, 0
}

// recv reads into b: MSG_PEEK, MSG_TRUNC (messages: the full length),
// MSG_WAITALL (streams: fill b). End of stream is a zero count; a
// connection reset while data was unread is ECONNRESET once first.
func (s *unixSocket) recv(l *Layer, b []byte, flags int, blk block, wantFrom bool) (recvResult, unix.Errno) {
	switch {
	case flags&unix.MSG_OOB != 0:
		return recvResult{}, unix.EOPNOTSUPP
	case flags&unix.MSG_ERRQUEUE != 0:
		return recvResult{}, unix.EAGAIN // no error queue
	}
	waitAll := s.stream() && flags&(unix.MSG_WAITALL|unix.MSG_PEEK) == unix.MSG_WAITALL
	var res recvResult
	e := l.wait(s, waitIn, blk, timeout(&s.rcvTimeo), func() unix.Errno {
		r, e := s.recvOnce(b[res.n:], flags)
		if e != 0 {
			return e
		}
		if res.n == 0 {
			res.from = r.from
		}
		res.rights = append(res.rights, r.rights...)
		res.peeked = r.peeked
		res.cred, res.pid = r.cred, r.pid
		res.n += r.n
		res.ret += r.ret
		res.flags = r.flags
		if waitAll && blk.ok && r.n > 0 && res.n < len(b) {
			return unix.EAGAIN
		}
		return 0
	})
	if res.n > 0 {
		e = 0 // MSG_WAITALL ended early: what came so far
	}
	if !wantFrom {
		res.from = nil
	}
	return res, e
}

// recvOnce is one receive that does not wait; it wakes the senders whose
// buffer space it freed.
func (s *unixSocket) recvOnce(b []byte, flags int) (recvResult, unix.Errno) {
	var wake []*waiter.Queue
	s.space.mu.Lock()
	res, e := s.recvLocked(b, flags, &wake)
	s.space.mu.Unlock()
	for _, q := range wake {
		q.Notify(waiter.EventOut)
	}
	return res, e
}

func (s *unixSocket) recvLocked(b []byte, flags int, wake *[]*waiter.Queue) (recvResult, unix.Errno) {
	switch {
	case s.listening:
		return recvResult{}, unix.EINVAL
	case s.connection() && !s.connected && s.stream():
		return recvResult{}, unix.EINVAL
	case s.connection() && !s.connected:
		return recvResult{}, unix.ENOTCONN
	case s.stream() && len(b) == 0:
		return recvResult{}, 0
	case len(s.rq) == 0 && s.err != 0:
		e := s.err
		s.err = 0
		return recvResult{}, e
	case len(s.rq) == 0 && (s.shut&shutRcv != 0 || s.closed):
		return recvResult{}, 0
	case len(s.rq) == 0:
		return recvResult{}, unix.EAGAIN
	}
	peek := flags&unix.MSG_PEEK != 0
	res := recvResult{from: s.rq[0].from, peeked: peek, cred: s.passcred, pid: s.rq[0].pid}
	if !s.stream() {
		m := &s.rq[0]
		res.rights = m.takeRights(peek)
		res.n = copy(b, m.b)
		res.ret = res.n
		if len(m.b) > len(b) {
			res.flags |= unix.MSG_TRUNC
			if flags&unix.MSG_TRUNC != 0 {
				res.ret = len(m.b)
			}
		}
		if !peek {
			*wake = s.dropLocked(1, *wake)
		}
		return res, 0
	}
	// A read ends before a chunk with descriptors, and after one, so
	// that they arrive with the first of their bytes, as on Linux.
	done := 0 // chunks read to their end
	for i := range s.rq {
		m := &s.rq[i]
		if i > 0 && (len(m.rights) > 0 || len(res.rights) > 0) {
			break
		}
		res.rights = m.takeRights(peek)
		c := copy(b[res.n:], m.b[m.off:])
		res.n += c
		if m.off+c < len(m.b) {
			if !peek {
				m.off += c
			}
			break
		}
		done++
	}
	res.ret = res.n
	if !peek {
		*wake = s.dropLocked(done, *wake)
	}
	return res, 0
}

// takeRights returns the message's descriptors, which a peek leaves
// with it.
func (m *unixMsg) takeRights(peek bool) []int32 {
	r := m.rights
	if peek {
		return slices.Clone(r)
	}
	m.rights = nil
	return r
}
