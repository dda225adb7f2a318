package sockets

import (
	"encoding/binary"
	"testing"

	"golang.org/x/sys/unix"

	"warren.dev/kernel/sockabi"
)

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
	done := make(chan error)
	go func() { done <- e.l.Serve(s) }()
	defer func() {
		close(s.reqs)
		<-done
	}()

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
