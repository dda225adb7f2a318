package sockets

import (
	"testing"

	"golang.org/x/sys/unix"
)

// The cache asks the kernel about a descriptor once while the table
// stands still, and again after anything changes it: a close, a new
// descriptor, a change of O_NONBLOCK.
func TestLookCache(t *testing.T) {
	e := newEnv(t)
	c, s := e.pair()
	look := newLookCache(e.k)
	mem := []Span{e.k.Memory()}
	buf := e.buf(16)
	call := func(nr, fd uint64) (unix.Errno, bool) {
		t.Helper()
		_, errno, ok := e.l.Direct(look, nr, [6]uint64{fd, buf, 16}, mem)
		return errno, ok
	}

	n := e.k.Lookups()
	for range 5 {
		if errno, ok := call(unix.SYS_READ, s); !ok || errno != unix.EAGAIN {
			t.Fatalf("read of an empty socket: served %v, %v", ok, errno)
		}
	}
	if got := e.k.Lookups() - n; got != 1 {
		t.Errorf("5 reads of one descriptor asked the kernel %d times, want 1", got)
	}

	// O_NONBLOCK cleared: the call is the kernel's to make (it may sleep).
	e.k.SetNonblock(int(s), false)
	if _, ok := call(unix.SYS_READ, s); ok {
		t.Error("a read served directly after its descriptor became blocking")
	}
	e.k.SetNonblock(int(s), true)
	if _, ok := call(unix.SYS_READ, s); !ok {
		t.Error("a read not served directly after its descriptor became non-blocking again")
	}

	// Closed: not served, and the close of another descriptor is seen.
	e.close(c)
	if _, ok := call(unix.SYS_WRITE, c); ok {
		t.Error("a write served on a closed descriptor")
	}
	n = e.k.Lookups()
	if _, ok := call(unix.SYS_WRITE, c); ok || e.k.Lookups() != n {
		t.Errorf("a closed descriptor asked about again (%d lookups) or served (%v)", e.k.Lookups()-n, ok)
	}

}
