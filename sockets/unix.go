package sockets

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"
	"gvisor.dev/gvisor/pkg/waiter"

	"warren.dev/kernel/sockabi"
)

// unixSocket is an AF_UNIX socket: SOCK_STREAM, SOCK_DGRAM or
// SOCK_SEQPACKET. Unix sockets pass data to each other directly, without
// netstack. Every call touches two of them (sender and receiver, client
// and listener), so all share one lock, the name space's; a socket's own
// waiter queue is notified after it is released.
//
// Names: abstract ones (a leading NUL) live in the layer's name space
// (unixSpace) until their socket closes. A path name is a socket file the
// kernel makes in its tmpfs (sockabi.SysUnixName), relative to the
// working directory, and the socket is found by the file's inode number:
// the file outlives the socket, as on Linux, until it is unlinked.
type unixSocket struct {
	sockState
	q     waiter.Queue
	space *unixSpace

	// Guarded by space.mu.
	addr       string  // bound sun_path bytes; "" while unbound
	key        unixKey // addr in the name space
	listening  bool
	backlog    []*unixSocket // a listener's connections not yet accepted
	maxBacklog int
	connected  bool        // a stream or seqpacket socket with a peer
	other      *unixSocket // the connection's other end; a datagram socket's default destination
	rq         []unixMsg   // received, oldest first
	wmem       int         // bytes this socket sent that wait in a receive queue
	shut       int         // shutRcv, shutSend: Linux's sk_shutdown
	err        unix.Errno  // a pending error (ECONNRESET), reported once
	closed     bool
	// blocked are datagram senders that found rq full: they are woken
	// when it drains.
	blocked        map[*unixSocket]bool
	sndbuf, rcvbuf int
	passcred       bool
	// pid is the process whose credentials the peer sees (SO_PEERCRED):
	// the first to use the socket, or a listener's for the sockets it
	// accepts.
	pid int32

	rcvTimeo, sndTimeo atomicDuration
}

// A unix socket's shutdown state.
const (
	shutRcv  = 1
	shutSend = 2
	shutBoth = shutRcv | shutSend
)

// Limits, as Linux's defaults: a socket's send buffer bounds the bytes it
// has queued at receivers (wmem_default), and a datagram socket's receive
// queue holds at most maxDgramQueue datagrams (net.unix.max_dgram_qlen).
const (
	unixDefaultBuf     = 212992
	unixMaxBuf         = 212992 // wmem_max, rmem_max: the most SO_SNDBUF/SO_RCVBUF take (doubled)
	unixMinBuf         = 4608   // SOCK_MIN_SNDBUF
	maxDgramQueue      = 10
	sizeofSockaddrUnix = 110 // struct sockaddr_un
)

// unixKey names a bound socket: an abstract name, or the inode number of
// a path name's socket file.
type unixKey struct {
	abstract string
	ino      uint64
}

// keyLocked finds the key of name; bind makes a path name's file.
func (s *unixSocket) keyLocked(name string, bind bool) (unixKey, unix.Errno) {
	if name[0] == 0 {
		return unixKey{abstract: name}, 0
	}
	op := sockabi.UnixFind
	if bind {
		op = sockabi.UnixBind
	}
	ino, e := s.layer.k.UnixName(op, name)
	return unixKey{ino: ino}, e
}

// unixMsg is one send's data in a receive queue: a datagram, a seqpacket
// message or a stream chunk.
type unixMsg struct {
	b      []byte
	off    int         // a stream chunk's bytes already read
	from   []byte      // the sender's address, nil if unbound
	sender *unixSocket // whose wmem counts b
	rights []int32     // descriptors in flight (SCM_RIGHTS), until received
	pid    int32       // the sending process
}

// unixSpace is the name space of unix sockets, and their lock.
type unixSpace struct {
	mu    sync.Mutex
	names map[unixKey]*unixSocket
	auto  atomic.Uint32 // the last autobind name
}

func (l *Layer) newUnix(stype, proto int) (*unixSocket, unix.Errno) {
	if stype != unix.SOCK_STREAM && stype != unix.SOCK_DGRAM && stype != unix.SOCK_SEQPACKET {
		return nil, unix.ESOCKTNOSUPPORT
	}
	if proto != 0 && proto != unix.AF_UNIX {
		return nil, unix.EPROTONOSUPPORT
	}
	s := &unixSocket{space: &l.unix, sndbuf: unixDefaultBuf, rcvbuf: unixDefaultBuf}
	s.family, s.stype, s.proto = unix.AF_UNIX, stype, 0
	l.watch(s, &s.q)
	return s, 0
}

// newUnixPair makes the two connected sockets of a socketpair.
func (l *Layer) newUnixPair(stype, proto int) (*unixSocket, *unixSocket, unix.Errno) {
	a, e := l.newUnix(stype, proto)
	if e != 0 {
		return nil, nil, e
	}
	b, _ := l.newUnix(stype, proto)
	conn := stype != unix.SOCK_DGRAM
	a.other, a.connected = b, conn
	b.other, b.connected = a, conn
	return a, b, 0
}

// unixName decodes a sockaddr_un to its name: the sun_path bytes up to
// the first NUL for a path name, all of them for an abstract one. auto
// is a bare family, which bind takes as a request for an abstract name.
func unixName(sa []byte) (name string, auto bool, e unix.Errno) {
	fam, e := family(sa)
	switch {
	case e != 0:
		return "", false, e
	case fam != unix.AF_UNIX || len(sa) > sizeofSockaddrUnix:
		return "", false, unix.EINVAL
	case len(sa) == 2:
		return "", true, 0
	}
	path := sa[2:]
	if path[0] != 0 {
		if i := bytes.IndexByte(path, 0); i >= 0 {
			path = path[:i]
		}
	}
	return string(path), false, 0
}

// encodeUnix is the sockaddr_un of name: a path name's length counts its
// NUL, as Linux gives it; an unnamed socket's address is the family alone.
func encodeUnix(name string) []byte {
	b := binary.LittleEndian.AppendUint16(nil, unix.AF_UNIX)
	b = append(b, name...)
	if name != "" && name[0] != 0 {
		b = append(b, 0)
	}
	return b
}

func (s *unixSocket) stream() bool { return s.stype == unix.SOCK_STREAM }

// connection reports whether the socket's type has connections.
func (s *unixSocket) connection() bool { return s.stype != unix.SOCK_DGRAM }

func (s *unixSocket) readiness() uint32 {
	s.space.mu.Lock()
	defer s.space.mu.Unlock()
	var ev uint32
	if s.err != 0 {
		ev |= unix.EPOLLERR
	}
	if s.shut == shutBoth || s.closed {
		ev |= unix.EPOLLHUP
	}
	if s.shut&shutRcv != 0 {
		ev |= unix.EPOLLRDHUP | unix.EPOLLIN
	}
	if len(s.rq) > 0 || len(s.backlog) > 0 {
		ev |= unix.EPOLLIN
	}
	writable := s.wmem < s.sndbuf
	switch {
	case s.listening:
		return ev | sockabi.ExactAccept
	case s.connection() && !s.connected:
		return ev | unix.EPOLLHUP // Linux's TCP_CLOSE
	case s.connection():
		ev |= sockabi.ExactIO
	case writable && s.other != nil && s.other.full():
		// Sends to the peer would block, others not: not exact.
		s.other.blocked[s] = true
		return ev
	default:
		ev |= sockabi.ExactIO
	}
	if writable {
		ev |= unix.EPOLLOUT
	}
	return ev
}

// full reports whether a datagram socket's receive queue is full.
func (s *unixSocket) full() bool {
	if len(s.rq) < maxDgramQueue || s.closed {
		return false
	}
	if s.blocked == nil {
		s.blocked = map[*unixSocket]bool{}
	}
	return true
}

// close releases the socket's name, its queue and its unaccepted
// connections; a connected peer sees the end (ECONNRESET if data was
// left unread, or the connection was never accepted).
func (s *unixSocket) close() {
	var wake []*waiter.Queue
	s.space.mu.Lock()
	wake = s.closeLocked(false, wake)
	s.space.mu.Unlock()
	for _, q := range wake {
		q.Notify(waiter.EventIn | waiter.EventOut | waiter.EventHUp | waiter.EventRdHUp | waiter.EventErr)
	}
}

// closeLocked is close with the lock held; it returns the queues to
// notify. embryo marks a connection closed before it was accepted.
func (s *unixSocket) closeLocked(embryo bool, wake []*waiter.Queue) []*waiter.Queue {
	if s.closed {
		return wake
	}
	s.closed = true
	wake = append(wake, &s.q)
	if s.addr != "" && s.space.names[s.key] == s {
		delete(s.space.names, s.key)
	}
	unread := len(s.rq) > 0
	wake = s.dropLocked(len(s.rq), wake)
	for _, c := range s.backlog {
		wake = c.closeLocked(true, wake)
	}
	s.backlog = nil
	if p := s.other; p != nil && s.connection() && !p.closed {
		p.shut = shutBoth
		if unread || embryo {
			p.err = unix.ECONNRESET
		}
		wake = append(wake, &p.q)
	}
	for b := range s.blocked {
		wake = append(wake, &b.q)
	}
	s.blocked = nil
	return wake
}

// dropLocked takes the first n messages off the receive queue, giving
// their senders their buffer space back; it returns the queues to notify.
func (s *unixSocket) dropLocked(n int, wake []*waiter.Queue) []*waiter.Queue {
	for i := range s.rq[:n] {
		m := &s.rq[i]
		putRights(s.layer.k, m.rights)
		m.sender.wmem -= len(m.b)
		wake = append(wake, &m.sender.q)
		s.rq[i] = unixMsg{}
	}
	s.rq = s.rq[n:]
	if n > 0 {
		for b := range s.blocked {
			wake = append(wake, &b.q)
		}
		clear(s.blocked)
	}
	return wake
}

func (s *unixSocket) bind(_ *Layer, sa []byte) unix.Errno {
	name, auto, e := unixName(sa)
	if e != 0 {
		return e
	}
	sp := s.space
	sp.mu.Lock()
	defer sp.mu.Unlock()
	switch {
	case s.closed:
		return unix.EBADF
	case s.addr != "":
		return unix.EINVAL
	case auto:
		s.autobindLocked()
		return 0
	}
	key, e := s.keyLocked(name, true)
	switch {
	case e != 0:
		return e
	case sp.names[key] != nil && key.ino == 0:
		return unix.EADDRINUSE
	}
	// A path's inode may be one whose file was unlinked under a socket
	// still bound: that socket can no longer be reached, as on Linux.
	s.addr, s.key = name, key
	sp.names[key] = s
	return 0
}

// autobindLocked gives the socket a free abstract name of five hex
// digits, as Linux's autobind.
func (s *unixSocket) autobindLocked() {
	sp := s.space
	for {
		key := unixKey{abstract: fmt.Sprintf("\x00%05x", sp.auto.Add(1)&0xfffff)}
		if sp.names[key] == nil {
			s.addr, s.key = key.abstract, key
			sp.names[key] = s
			return
		}
	}
}

func (s *unixSocket) name() ([]byte, unix.Errno) {
	s.space.mu.Lock()
	defer s.space.mu.Unlock()
	return encodeUnix(s.addr), 0
}

func (s *unixSocket) peer() ([]byte, unix.Errno) {
	s.space.mu.Lock()
	defer s.space.mu.Unlock()
	if s.other == nil || s.connection() && !s.connected {
		return nil, unix.ENOTCONN
	}
	return encodeUnix(s.other.addr), 0
}

func (s *unixSocket) listen(backlog int32) unix.Errno {
	if !s.connection() {
		return unix.EOPNOTSUPP
	}
	s.space.mu.Lock()
	defer s.space.mu.Unlock()
	if s.connected || s.addr == "" {
		return unix.EINVAL
	}
	if uint32(backlog) > somaxconn {
		backlog = somaxconn
	}
	s.listening, s.maxBacklog = true, int(backlog)
	return 0
}

// accept takes one connection; the new socket is not yet installed.
func (s *unixSocket) accept(l *Layer, blk block) (socket, []byte, unix.Errno) {
	var (
		c    *unixSocket
		peer []byte
	)
	e := l.wait(s, waitIn, blk, timeout(&s.rcvTimeo), func() unix.Errno {
		s.space.mu.Lock()
		defer s.space.mu.Unlock()
		switch {
		case !s.listening:
			return unix.EINVAL
		case len(s.backlog) == 0:
			return unix.EAGAIN
		}
		c = s.backlog[0]
		s.backlog[0] = nil
		s.backlog = s.backlog[1:]
		peer = encodeUnix(c.other.addr)
		return 0
	})
	if e != 0 {
		return nil, nil, e
	}
	s.q.Notify(waiter.EventOut) // room for a connect waiting on the backlog
	return c, peer, 0
}

// lookupLocked finds the socket bound to name: ECONNREFUSED if none is
// (ENOENT for a path without a file).
func (s *unixSocket) lookupLocked(name string) (*unixSocket, unix.Errno) {
	key, e := s.keyLocked(name, false)
	if e != 0 {
		return nil, e
	}
	t := s.space.names[key]
	switch {
	case t == nil:
		return nil, unix.ECONNREFUSED
	case t.stype != s.stype:
		return nil, unix.EPROTOTYPE
	}
	return t, 0
}

// connect connects a stream or seqpacket socket to a listener, or sets
// a datagram socket's default destination (AF_UNSPEC clears it). A
// blocking connect waits while the listener's backlog is full.
func (s *unixSocket) connect(l *Layer, sa []byte, blk block) unix.Errno {
	if fam, e := family(sa); e == 0 && fam == unix.AF_UNSPEC && !s.connection() {
		s.space.mu.Lock()
		s.other = nil
		s.space.mu.Unlock()
		return 0
	}
	name, auto, e := unixName(sa)
	if e != 0 || auto {
		return unix.EINVAL
	}
	var t *unixSocket
	try := func() unix.Errno {
		s.space.mu.Lock()
		defer s.space.mu.Unlock()
		var e unix.Errno
		t, e = s.connectLocked(l, name)
		return e
	}
	e = try()
	if e == unix.EAGAIN && blk.ok {
		e = sleepOn(&t.q, waiter.EventOut|waiter.EventHUp, timeout(&s.sndTimeo), blk.interrupted, try)
	}
	if e == 0 && t != nil {
		t.q.Notify(waiter.EventIn)
	}
	return e
}

// connectLocked connects to the socket named name, which it returns;
// EAGAIN when a listener's backlog is full.
func (s *unixSocket) connectLocked(l *Layer, name string) (*unixSocket, unix.Errno) {
	if s.closed {
		return nil, unix.EBADF
	}
	t, e := s.lookupLocked(name)
	if e != 0 {
		return nil, e
	}
	if !s.connection() {
		if t.other != nil && t.other != s {
			return nil, unix.EPERM // connected elsewhere: it would not take our datagrams
		}
		s.other = t
		return t, 0
	}
	switch {
	case s.connected:
		return nil, unix.EISCONN
	case s.listening:
		return nil, unix.EINVAL
	case !t.listening || t.closed:
		return nil, unix.ECONNREFUSED
	case len(t.backlog) > t.maxBacklog:
		return t, unix.EAGAIN
	}
	c, _ := l.newUnix(s.stype, 0)
	c.addr, c.sndbuf, c.rcvbuf, c.pid = t.addr, t.sndbuf, t.rcvbuf, t.pid // not c.key: c is not bound
	c.other, c.connected = s, true
	s.other, s.connected = c, true
	t.backlog = append(t.backlog, c)
	return t, 0
}

func (s *unixSocket) shutdown(how int) unix.Errno {
	if how < unix.SHUT_RD || how > unix.SHUT_RDWR {
		return unix.EINVAL
	}
	mode := how + 1 // SHUT_RD → shutRcv, SHUT_WR → shutSend
	s.space.mu.Lock()
	s.shut |= mode
	var p *unixSocket
	if s.connected && !s.other.closed {
		p = s.other
		if mode&shutRcv != 0 {
			p.shut |= shutSend
		}
		if mode&shutSend != 0 {
			p.shut |= shutRcv
		}
	}
	s.space.mu.Unlock()
	const ev = waiter.EventIn | waiter.EventOut | waiter.EventHUp | waiter.EventRdHUp
	s.q.Notify(ev)
	if p != nil {
		p.q.Notify(ev)
	}
	return 0
}

func (s *unixSocket) inq() (int, unix.Errno) {
	s.space.mu.Lock()
	defer s.space.mu.Unlock()
	switch {
	case s.listening:
		return 0, unix.EINVAL
	case len(s.rq) == 0:
		return 0, 0
	case !s.stream():
		return len(s.rq[0].b), 0
	}
	n := 0
	for _, m := range s.rq {
		n += len(m.b) - m.off
	}
	return n, 0
}
