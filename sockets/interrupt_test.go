package sockets

import (
	"encoding/binary"
	"net/netip"
	"testing"

	"golang.org/x/sys/unix"

	"warren.dev/kernel/sockabi"
)

// serve runs the layer's Serve loop on s until the test ends.
func (e *env) serve(s *chanServer) {
	done := make(chan error)
	go func() { done <- e.l.Serve(s) }()
	e.t.Cleanup(func() {
		close(s.reqs)
		<-done
	})
}

// interrupt forwards OpInterrupt for request id, as the kernel does when
// the caller gets a signal.
func (s *chanServer) interrupt(id uint64) {
	r := sockabi.Request{Op: sockabi.OpInterrupt, Sock: -1}
	r.Args[0] = id
	s.reqs <- r
}

// A signal ends a blocking call that is sleeping: with nothing done it
// replies ErrRestart (EINTR with a timeout set), with part of the data
// received it replies the count; an interrupt for a call that is not
// being served is ignored.
func TestServeInterrupt(t *testing.T) {
	e := newEnv(t)
	s := newChanServer(e.k)
	e.serve(s)

	c, srv := e.pair()
	e.k.SetNonblock(int(srv), false)
	buf := e.buf(64)

	read := s.call(unix.SYS_READ, srv, buf, 16)
	s.interrupt(read)
	if r := s.reply(t); r.id != read || r.e != sockabi.ErrRestart {
		t.Fatalf("interrupted read: %+v, want ErrRestart", r)
	}

	// An interrupt that crossed its call's reply, or names nothing.
	s.interrupt(read)
	s.interrupt(12345)

	// MSG_WAITALL with part of the data there (loopback delivers it
	// asynchronously: wait for it): the part is the result.
	e.write(c, []byte("abc"))
	e.waitEvents(srv, unix.EPOLLIN)
	recv := s.call(unix.SYS_RECVFROM, srv, buf, 16, unix.MSG_WAITALL, 0, 0)
	// Whether the interrupt comes before or after the call first finds
	// "abc", the call has it when the interrupt ends its wait.
	s.interrupt(recv)
	if r := s.reply(t); r.id != recv || r.e != 0 || r.result != 3 {
		t.Fatalf("interrupted MSG_WAITALL recv: %+v, want 3 bytes", r)
	}
	if got := string(e.k.Bytes(buf, 3)); got != "abc" {
		t.Fatalf("received %q", got)
	}

	// With SO_RCVTIMEO the call fails with EINTR, as Linux's
	// sock_intr_errno says, rather than restarting.
	tv := e.buf(16)
	var sec [8]byte
	binary.LittleEndian.PutUint64(sec[:], 100)
	e.k.Put(tv, sec[:])
	e.must(unix.SYS_SETSOCKOPT, srv, unix.SOL_SOCKET, unix.SO_RCVTIMEO, tv, 16)
	read = s.call(unix.SYS_READ, srv, buf, 16)
	s.interrupt(read)
	if r := s.reply(t); r.id != read || r.e != unix.EINTR {
		t.Fatalf("interrupted read with a timeout: %+v, want EINTR", r)
	}

	// The socket still works after the interrupts.
	read = s.call(unix.SYS_READ, srv, buf, 16)
	e.write(c, []byte("wake"))
	if r := s.reply(t); r.id != read || r.e != 0 || r.result != 4 {
		t.Fatalf("read after the interrupts: %+v", r)
	}
}

// A call on a non-blocking descriptor is not watched and never sleeps.
func TestServeInterruptNonblocking(t *testing.T) {
	e := newEnv(t)
	_, srv := e.pair()
	r := e.k.Request(unix.SYS_READ, srv, e.buf(8), 8)
	e.l.intr.watch(&call{Request: r})
	if e.l.intr.of(r.ID) != nil {
		t.Fatal("a request on an O_NONBLOCK descriptor is watched")
	}
}

// A signal ends a blocking connect whose handshake is under way: with no
// SO_SNDTIMEO it replies ErrRestart, and the connect made again waits on
// for the same handshake (not EALREADY), as Linux restarts it after an
// SA_RESTART handler; with SO_SNDTIMEO it fails with EINTR. It failed
// with EINTR always, which ended Go's syscall.Connect at a preemption
// signal (sockprog's blocking check then waited in accept for good).
func TestServeInterruptConnect(t *testing.T) {
	e := newEnv(t)
	s := newChanServer(e.k)
	e.serve(s)

	// Nothing answers at 10.0.0.3: the handshake waits for its address.
	fd := e.must(unix.SYS_SOCKET, unix.AF_INET, unix.SOCK_STREAM, 0)
	sa, n := e.sockaddr(netip.MustParseAddrPort("10.0.0.3:80"), unix.AF_INET)
	for range 2 {
		id := s.call(unix.SYS_CONNECT, fd, sa, n)
		s.interrupt(id)
		if r := s.reply(t); r.id != id || r.e != sockabi.ErrRestart {
			t.Fatalf("interrupted connect: %+v, want ErrRestart", r)
		}
	}

	fd = e.must(unix.SYS_SOCKET, unix.AF_INET, unix.SOCK_STREAM, 0)
	tv := e.buf(16)
	var sec [8]byte
	binary.LittleEndian.PutUint64(sec[:], 100)
	e.k.Put(tv, sec[:])
	e.must(unix.SYS_SETSOCKOPT, fd, unix.SOL_SOCKET, unix.SO_SNDTIMEO, tv, 16)
	id := s.call(unix.SYS_CONNECT, fd, sa, n)
	s.interrupt(id)
	if r := s.reply(t); r.id != id || r.e != unix.EINTR {
		t.Fatalf("interrupted connect with a timeout: %+v, want EINTR", r)
	}
}
