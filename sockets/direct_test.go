package sockets

import (
	"bytes"
	"testing"

	"golang.org/x/sys/unix"
)

// Calls on non-blocking sockets are served directly; the results match
// the forwarded path's, and copies stay inside the call's buffers.
func TestDirect(t *testing.T) {
	e := newEnv(t)
	c, s := e.pair()
	mem := []Span{e.k.Memory()}
	direct := func(nr uint64, args ...uint64) (uint64, unix.Errno) {
		t.Helper()
		var a [6]uint64
		copy(a[:], args)
		v, errno, ok := e.l.Direct(e.k, nr, a, mem)
		if !ok {
			t.Fatalf("%s%v was not served directly", callName(nr), args)
		}
		return v, errno
	}

	msg := e.mem([]byte("direct"))
	if n, errno := direct(unix.SYS_WRITE, c, msg, 6); n != 6 || errno != 0 {
		t.Fatalf("write = %d, %v", n, errno)
	}
	e.waitEvents(s, unix.EPOLLIN)
	buf := e.buf(16)
	if n, errno := direct(unix.SYS_READ, s, buf, 16); n != 6 || errno != 0 || !bytes.Equal(e.k.Bytes(buf, 6), []byte("direct")) {
		t.Fatalf("read = %d, %v, %q", n, errno, e.k.Bytes(buf, 6))
	}
	if _, errno := direct(unix.SYS_READ, s, buf, 16); errno != unix.EAGAIN {
		t.Fatalf("read of an empty socket: %v, want EAGAIN", errno)
	}

	// A buffer outside the caller's memory: EFAULT, as the kernel says.
	if _, errno := direct(unix.SYS_WRITE, c, 8, 6); errno != unix.EFAULT {
		t.Fatalf("write from a bad address: %v, want EFAULT", errno)
	}
	end := FakeBase + uint64(len(e.k.Memory().B))
	if _, errno := direct(unix.SYS_GETSOCKOPT, s, unix.SOL_SOCKET, unix.SO_TYPE, end-2, e.int32p(4)); errno != unix.EFAULT {
		t.Fatalf("getsockopt into a buffer running off the end: %v, want EFAULT", errno)
	}
	if v, errno := direct(unix.SYS_GETSOCKOPT, s, unix.SOL_SOCKET, unix.SO_TYPE, buf, e.int32p(4)); v != 0 || errno != 0 || e.u32(buf) != unix.SOCK_STREAM {
		t.Fatalf("getsockopt(SO_TYPE) = %v, %d", errno, e.u32(buf))
	}

	// Not served here: a blocking socket (its sleep belongs to the
	// kernel), a descriptor that is not a socket, a call the kernel
	// answers.
	e.k.SetNonblock(int(s), false)
	for _, call := range [][]uint64{
		{unix.SYS_READ, s, buf, 16},
		{unix.SYS_READ, 999, buf, 16},
		{unix.SYS_GETSOCKNAME, c, buf, e.int32p(16)},
	} {
		var a [6]uint64
		copy(a[:], call[1:])
		if _, _, ok := e.l.Direct(e.k, call[0], a, mem); ok {
			t.Errorf("%s%v was served directly", callName(call[0]), call[1:])
		}
	}
}

// An accepted connection's descriptor goes into the program's own table.
func TestDirectAccept(t *testing.T) {
	for _, forward := range []bool{false, true} {
		e := newEnv(t)
		e.forward = forward
		c, s := e.pair()
		if e.sock(c) < 0 || e.sock(s) < 0 {
			t.Fatalf("forward=%v: pair %d, %d without sockets", forward, c, s)
		}
		e.write(c, []byte("x"))
		e.waitEvents(s, unix.EPOLLIN)
		if got, errno := e.read(s, 1); errno != 0 || string(got) != "x" {
			t.Fatalf("forward=%v: read %q, %v", forward, got, errno)
		}
	}
}

// Direct allocates nearly nothing to read: its request and kernel are
// pooled, the data moves in place, and the handlers' small buffers stay
// on their stacks. What is left is the writer netstack's Read takes. (A
// write allocates netstack's segments.)
func TestDirectAllocs(t *testing.T) {
	e := newEnv(t)
	c, s := e.pair()
	mem := []Span{e.k.Memory()}
	e.write(c, bytes.Repeat([]byte("x"), 128))
	e.waitEvents(s, unix.EPOLLIN)
	buf := e.buf(16)
	for _, tc := range []struct {
		name  string
		args  [6]uint64
		errno unix.Errno
	}{
		{"read of a byte", [6]uint64{s, buf, 1}, 0},
		{"read of a socket with nothing to read", [6]uint64{c, buf, 16}, unix.EAGAIN},
	} {
		allocs := testing.AllocsPerRun(100, func() {
			if _, errno, ok := e.l.Direct(e.k, unix.SYS_READ, tc.args, mem); !ok || errno != tc.errno {
				t.Fatalf("%s: served %v, %v", tc.name, ok, errno)
			}
		})
		if allocs > 1 {
			t.Errorf("a direct %s allocates %v times, want at most 1", tc.name, allocs)
		}
	}
}
