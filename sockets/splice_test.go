package sockets

import (
	"bytes"
	"testing"

	"golang.org/x/sys/unix"

	"warren.dev/kernel/sockabi"
)

// TestSplice: a forwarded splice to the socket sends the pipe's bytes
// (read through the kernel) up to the count; one from the socket
// receives at most the count the kernel made room for and buffers the
// bytes in the pipe, more than maxIO in steps; at the peer's end it
// moves nothing; an unknown direction is EINVAL.
func TestSplice(t *testing.T) {
	e := newEnv(t)
	e.forward = true // the calls are as the kernel forwards them
	a, b := e.socketpair(unix.SOCK_STREAM)
	in := e.k.AddFile([]byte("from the pipe"))
	if n := e.must(unix.SYS_SPLICE, a, uint64(in), 4, sockabi.SpliceToSocket); n != 4 {
		t.Fatalf("splice of 4 bytes to the socket sent %d", n)
	}
	e.expectRead(b, 64, "from")

	out := e.k.AddFile(nil)
	e.write(a, []byte("into the pipe"))
	if n := e.must(unix.SYS_SPLICE, b, uint64(out), 8, sockabi.SpliceFromSocket); n != 8 {
		t.Fatalf("splice of 8 bytes from the socket moved %d", n)
	}
	if n := e.must(unix.SYS_SPLICE, b, uint64(out), 64, sockabi.SpliceFromSocket); n != 5 {
		t.Fatalf("splice of the last 5 bytes moved %d", n)
	}
	if got := string(e.k.FileData(out)); got != "into the pipe" {
		t.Fatalf("the pipe holds %q", got)
	}
	e.fails(unix.EINVAL, unix.SYS_SPLICE, b, uint64(out), 8, 2)

	// More than maxIO in one call: what is there moves, in steps.
	e.write(a, make([]byte, maxIO))
	e.write(a, make([]byte, 1000))
	big := e.k.AddFile(nil)
	if n := e.must(unix.SYS_SPLICE, b, uint64(big), 4*maxIO, sockabi.SpliceFromSocket); n != maxIO+1000 {
		t.Fatalf("splice of up to %d bytes with %d there moved %d", 4*maxIO, maxIO+1000, n)
	}
	if n := e.must(unix.SYS_SPLICE, b, uint64(big), maxIO+1000, sockabi.SpliceToSocket); n != maxIO+1000 {
		t.Fatalf("splice of %d bytes of a pipe to the socket sent %d", maxIO+1000, n)
	}
	for got := 0; got < maxIO+1000; {
		b, errno := e.read(a, maxIO)
		if errno != 0 {
			t.Fatalf("read: %v", errno)
		}
		got += len(b)
	}
	e.close(a)
	if n := e.must(unix.SYS_SPLICE, b, uint64(out), 8, sockabi.SpliceFromSocket); n != 0 {
		t.Fatalf("splice at the end of the stream moved %d", n)
	}
	e.close(b)
}

// TestDirectSplice: the program's own splice between a pipe and a
// non-blocking TCP socket is served without forwarding, both ways: it
// moves at most the pipe's room or bytes, leaves the pipe held only
// during the call, gives the socket's EAGAIN and end of stream, and
// leaves other pairs and blocking sockets to the kernel.
func TestDirectSplice(t *testing.T) {
	e := newEnv(t)
	c, s := e.pair()
	pipe, file := e.k.AddPipe(16, nil)
	p := uint64(pipe)
	served := func(in, out, n uint64) (uint64, unix.Errno, bool) {
		t.Helper()
		v, errno, ok := e.l.Direct(e.k, unix.SYS_SPLICE, [6]uint64{in, 0, out, 0, n, unix.SPLICE_F_NONBLOCK}, nil)
		if e.k.Held(pipe) {
			t.Fatalf("splice(%d, %d, %d) left the pipe held", in, out, n)
		}
		return v, errno, ok
	}
	splice := func(in, out, n uint64, want uint64, wantErr unix.Errno) {
		t.Helper()
		v, errno, ok := served(in, out, n)
		if !ok || v != want || errno != wantErr {
			t.Fatalf("splice(%d, %d, %d) = %d, %v, served %v; want %d, %v", in, out, n, v, errno, ok, want, wantErr)
		}
	}
	pipeHolds := func(want string) {
		t.Helper()
		if got := string(e.k.FileData(file)); got != want {
			t.Fatalf("the pipe holds %q, want %q", got, want)
		}
	}

	splice(s, p, 64, 0, unix.EAGAIN) // nothing received yet
	e.write(c, []byte("0123456789abcdefghij"))
	e.waitEvents(s, unix.EPOLLIN)
	splice(s, p, 64, 16, 0) // the pipe's room
	pipeHolds("0123456789abcdef")
	splice(s, p, 64, 0, unix.EAGAIN) // a full pipe
	splice(p, c, 10, 10, 0)          // to s, after "ghij"
	pipeHolds("abcdef")
	splice(s, p, 4, 4, 0)
	pipeHolds("abcdefghij")
	receive := func(want string) {
		t.Helper()
		var got []byte
		for len(got) < len(want) {
			e.waitEvents(s, unix.EPOLLIN)
			b, errno := e.read(s, len(want)-len(got))
			if errno != 0 && errno != unix.EAGAIN {
				t.Fatalf("read: %v", errno)
			}
			got = append(got, b...)
		}
		if string(got) != want {
			t.Fatalf("received %q, want %q", got, want)
		}
	}
	receive("0123456789")
	splice(p, c, 64, 10, 0)
	pipeHolds("")
	receive("abcdefghij")
	splice(p, c, 64, 0, unix.EAGAIN) // an empty pipe

	// Not served here: two pipes, a blocking socket.
	other, _ := e.k.AddPipe(16, []byte("x"))
	if _, _, ok := served(uint64(other), p, 1); ok {
		t.Fatal("a splice between two pipes was served by the layer")
	}
	e.k.SetNonblock(int(s), false)
	if _, _, ok := served(s, p, 1); ok {
		t.Fatal("a splice from a blocking socket was served by the layer")
	}
	e.k.SetNonblock(int(s), true)

	// More than netstack moves at once, through a large pipe and back.
	big, bigFile := e.k.AddPipe(1<<20, nil)
	data := make([]byte, 300<<10)
	for i := range data {
		data[i] = byte(i * 7)
	}
	src, dst := e.mem(data), e.buf(64<<10)
	for sent := 0; sent < len(data); {
		n, errno := e.call(unix.SYS_WRITE, c, src+uint64(sent), uint64(len(data)-sent))
		if errno != 0 && errno != unix.EAGAIN {
			t.Fatalf("write: %v", errno)
		}
		sent += int(n)
		if got, errno, _ := served(s, uint64(big), 1<<20); errno != 0 && errno != unix.EAGAIN {
			t.Fatalf("splice to the large pipe: %d, %v", got, errno)
		}
	}
	for len(e.k.FileData(bigFile)) < len(data) {
		e.waitEvents(s, unix.EPOLLIN)
		if got, errno, _ := served(s, uint64(big), 1<<20); errno != 0 && errno != unix.EAGAIN {
			t.Fatalf("splice to the large pipe: %d, %v", got, errno)
		}
	}
	var back []byte
	for len(back) < len(data) {
		if got, errno, _ := served(uint64(big), c, 1<<20); errno != 0 && errno != unix.EAGAIN {
			t.Fatalf("splice from the large pipe: %d, %v", got, errno)
		}
		e.waitEvents(s, unix.EPOLLIN)
		n, errno := e.call(unix.SYS_READ, s, dst, 64<<10)
		if errno != 0 && errno != unix.EAGAIN {
			t.Fatalf("read: %v", errno)
		}
		back = append(back, e.k.Bytes(dst, int(n))...)
	}
	if !bytes.Equal(back, data) {
		t.Fatalf("%d bytes through the large pipe came back different", len(data))
	}

	e.close(c)
	e.waitEvents(s, unix.EPOLLRDHUP)
	splice(s, p, 64, 0, 0) // end of stream
}
