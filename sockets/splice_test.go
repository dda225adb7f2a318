package sockets

import (
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
