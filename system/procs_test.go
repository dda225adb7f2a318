package system

import (
	"runtime"
	"testing"

	"golang.org/x/sys/unix"

	"warren.dev/kernel/sockabi"
	"warren.dev/sockets"
)

// nextSeq is a socket server whose Next returns the given results in turn.
type nextSeq struct {
	sockets.Server // only Next is called
	ops            []sockabi.Op
	errs           []unix.Errno
}

func (s *nextSeq) Next(r *sockabi.Request, _, _ uint64, _ unix.Errno) unix.Errno {
	r.Op, s.ops = s.ops[0], s.ops[1:]
	e := s.errs[0]
	s.errs = s.errs[1:]
	return e
}

func TestAdaptiveProcsRaisesOnlyForForwardedCalls(t *testing.T) {
	t.Setenv("GOMAXPROCS", "")
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))

	a := &adaptiveProcs{Server: &nextSeq{
		ops:  []sockabi.Op{sockabi.OpSyscall, sockabi.OpRelease, sockabi.OpInterrupt, sockabi.OpSyscall},
		errs: []unix.Errno{unix.EINTR, 0, 0, 0},
	}}
	var r sockabi.Request
	for i, what := range []string{"a signal", "a socket's release", "an interrupt"} {
		a.Next(&r, 0, 0, 0)
		if n := runtime.GOMAXPROCS(0); n != 1 {
			t.Fatalf("GOMAXPROCS %d after %s (return %d), want 1", n, what, i)
		}
	}
	a.Next(&r, 0, 0, 0)
	if n := runtime.GOMAXPROCS(0); n != SocketProcs {
		t.Fatalf("GOMAXPROCS %d after a forwarded call, want %d", n, SocketProcs)
	}
}

func TestAdaptiveProcsKeepsTheCommandLines(t *testing.T) {
	t.Setenv("GOMAXPROCS", "1")
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))

	a := &adaptiveProcs{Server: &nextSeq{ops: []sockabi.Op{sockabi.OpSyscall}, errs: []unix.Errno{0}}}
	var r sockabi.Request
	a.Next(&r, 0, 0, 0)
	if n := runtime.GOMAXPROCS(0); n != 1 {
		t.Fatalf("GOMAXPROCS %d after a forwarded call with GOMAXPROCS=1 set, want 1", n)
	}
}
