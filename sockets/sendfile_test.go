package sockets

import (
	"bytes"
	"testing"

	"golang.org/x/sys/unix"
)

// TestSendfile: a forwarded sendfile writes the file's bytes from the
// offset the kernel resolved, at most maxIO a call, and replies the count
// the kernel moves the offset by; at the end of the file it sends nothing.
func TestSendfile(t *testing.T) {
	e := newEnv(t)
	a, b := e.socketpair(unix.SOCK_STREAM)
	data := bytes.Repeat([]byte("0123456789"), 10000)
	f := uint64(e.k.AddFile(data))
	if n := e.must(unix.SYS_SENDFILE, a, f, 5, 20); n != 20 {
		t.Fatalf("sendfile of 20 bytes at 5 sent %d", n)
	}
	e.expectRead(b, 64, string(data[5:25]))
	if n := e.must(unix.SYS_SENDFILE, a, f, 0, uint64(len(data))); n != maxIO {
		t.Fatalf("sendfile of %d bytes sent %d, want a short count of %d", len(data), n, maxIO)
	}
	got := make([]byte, 0, maxIO)
	for len(got) < maxIO {
		b, errno := e.read(b, maxIO-len(got))
		if errno != 0 {
			t.Fatalf("read: %v", errno)
		}
		got = append(got, b...)
	}
	if !bytes.Equal(got, data[:maxIO]) {
		t.Fatal("sendfile sent other bytes than the file's")
	}
	if n := e.must(unix.SYS_SENDFILE, a, f, uint64(len(data)), 10); n != 0 {
		t.Fatalf("sendfile at the end of the file sent %d", n)
	}
	e.fails(unix.EINVAL, unix.SYS_SENDFILE, a, 99, 0, 10)
	e.close(a)
	e.fails(unix.EPIPE, unix.SYS_SENDFILE, b, f, 0, 10)
	e.close(b)
}

// TestSendfileWouldBlock: sendfile on a non-blocking socket whose peer
// reads nothing fills the buffer, then fails with EAGAIN.
func TestSendfileWouldBlock(t *testing.T) {
	e := newEnv(t)
	a, b := e.socketpair(unix.SOCK_STREAM | unix.SOCK_NONBLOCK)
	f := uint64(e.k.AddFile(make([]byte, 1<<20)))
	var off, errno = uint64(0), unix.Errno(0)
	for i := 0; errno == 0; i++ {
		if i == 1000 {
			t.Fatal("sendfile never blocked")
		}
		var n uint64
		n, errno = e.call(unix.SYS_SENDFILE, a, f, off, 1<<20)
		off += n
	}
	if errno != unix.EAGAIN || off == 0 {
		t.Fatalf("after %d bytes: %v, want EAGAIN", off, errno)
	}
	e.close(a)
	e.close(b)
}
