package sockets

import (
	"errors"
	"net/netip"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"warren.dev/kernel/files"
	"warren.dev/kernel/sockabi"
)

// chanServer forwards requests from a channel and collects replies.
type chanServer struct {
	*FakeKernel
	reqs    chan sockabi.Request
	replies chan reply
}

type reply struct {
	id, result uint64
	e          unix.Errno
}

func newChanServer(k *FakeKernel) *chanServer {
	return &chanServer{k, make(chan sockabi.Request), make(chan reply, 16)}
}

func (s *chanServer) Next(r *sockabi.Request, id, result uint64, e unix.Errno) unix.Errno {
	if id != 0 {
		s.Reply(id, result, e)
	}
	req, ok := <-s.reqs
	if !ok {
		return unix.EBADF
	}
	*r = req
	return 0
}

func (s *chanServer) Reply(id, result uint64, e unix.Errno) {
	s.Done(id)
	s.replies <- reply{id, result, e}
}

// call forwards system call nr and returns its request's ID.
func (s *chanServer) call(nr uint64, args ...uint64) uint64 {
	r := s.Request(nr, args...)
	s.reqs <- r
	return r.ID
}

func (s *chanServer) reply(t *testing.T) reply {
	t.Helper()
	select {
	case r := <-s.replies:
		return r
	case <-time.After(10 * time.Second):
		t.Fatal("no reply")
	}
	return reply{}
}

// TestServeBlocking: a blocked call does not hold up the next one.
func TestServeBlocking(t *testing.T) {
	e := newEnv(t)
	s := newChanServer(e.k)
	done := make(chan error)
	go func() { done <- e.l.Serve(s) }()

	c, srv := e.pair()
	e.k.SetNonblock(int(srv), false)
	buf := e.buf(16)
	read := s.call(unix.SYS_READ, srv, buf, 16)
	opt := s.call(unix.SYS_GETSOCKOPT, srv, unix.SOL_SOCKET, unix.SO_TYPE, e.buf(4), e.int32p(4))
	if r := s.reply(t); r.id != opt || r.e != 0 {
		t.Fatalf("first reply %+v, want the getsockopt", r)
	}
	write := s.call(unix.SYS_WRITE, c, e.mem([]byte("wake")), 4)
	got := map[uint64]reply{}
	for range 2 {
		r := s.reply(t)
		got[r.id] = r
	}
	if got[read].result != 4 || got[write].result != 4 {
		t.Fatalf("replies %+v", got)
	}
	rel, _, _ := e.k.Close(int(c))
	s.reqs <- rel
	if r := s.reply(t); r.id != rel.ID {
		t.Fatalf("reply %+v, want the release's", r)
	}
	eof := s.call(unix.SYS_READ, srv, buf, 16)
	if r := s.reply(t); r.id != eof || r.result != 0 || r.e != 0 {
		t.Fatalf("reply %+v, want end of file for the read", r)
	}
	close(s.reqs)
	if err := <-done; !errors.Is(err, unix.EBADF) {
		t.Fatalf("Serve returned %v", err)
	}
}

// TestServeWorkersRetire: the workers a burst of blocking calls started
// end once idle, so the program's goroutine count comes back down.
func TestServeWorkersRetire(t *testing.T) {
	e := newEnv(t)
	s := newChanServer(e.k)
	go e.l.Serve(s)
	defer close(s.reqs)
	const n = 8
	var cs, srvs [n]uint64
	for i := range n {
		cs[i], srvs[i] = e.pair()
		e.k.SetNonblock(int(srvs[i]), false)
	}
	base := runtime.NumGoroutine()
	for i := range n {
		s.call(unix.SYS_READ, srvs[i], e.buf(16), 16)
	}
	// Nothing is written yet, so every read waits, each in a worker of
	// its own. (Counted after the replies instead, idle workers could
	// already have retired on a loaded host.)
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() < base+n {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines with %d blocking calls waiting, %d before: the calls did not run in workers", runtime.NumGoroutine(), n, base)
		}
		time.Sleep(time.Millisecond)
	}
	for i := range n {
		s.call(unix.SYS_WRITE, cs[i], e.mem([]byte("wake")), 4)
	}
	for range 2 * n {
		if r := s.reply(t); r.e != 0 {
			t.Fatalf("reply %+v", r)
		}
	}
	deadline = time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > base {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines %v after the burst, %d before it", runtime.NumGoroutine(), 5*time.Second, base)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestServeReleaseFreesPort: the reply to a release comes once the
// socket is closed, so the kernel's close, which waits for it, returns
// with a listener's port free to bind again, as on Linux.
func TestServeReleaseFreesPort(t *testing.T) {
	e := newEnv(t)
	s := newChanServer(e.k)
	done := make(chan error)
	go func() { done <- e.l.Serve(s) }()
	sa, n := e.sockaddr(netip.AddrPortFrom(addrA, 8080), unix.AF_INET)
	for i := range 3 {
		ln := e.must(unix.SYS_SOCKET, unix.AF_INET, unix.SOCK_STREAM|nbcx, 0)
		e.setInt(ln, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1)
		if _, errno := e.call(unix.SYS_BIND, ln, sa, n); errno != 0 {
			t.Fatalf("bind %d, after the last release's reply: %v", i, errno)
		}
		e.must(unix.SYS_LISTEN, ln, 16)
		rel, _, _ := e.k.Close(int(ln))
		s.reqs <- rel
		if r := s.reply(t); r.id != rel.ID || r.e != 0 {
			t.Fatalf("reply %+v, want the release's", r)
		}
	}
	close(s.reqs)
	<-done
}

// TestServeDefault: without a default stack, Serve runs over loopback and
// publishes the files.
func TestServeDefault(t *testing.T) {
	k := NewFakeKernel(1 << 16)
	s := newChanServer(k)
	done := make(chan error)
	go func() { done <- Serve(s) }()
	fd, _, _ := k.Call(unix.SYS_SOCKET, unix.AF_INET, unix.SOCK_STREAM, 0)
	opt := k.Alloc(4)
	k.Put(opt, []byte{1, 0, 0, 0})
	s.call(unix.SYS_SETSOCKOPT, fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, opt, 4)
	if r := s.reply(t); r.e != 0 {
		t.Fatalf("setsockopt: %v", r.e)
	}
	for path, want := range map[string]string{
		"/etc/hosts":                   "127.0.0.1\tlocalhost",
		"/etc/nsswitch.conf":           "hosts: files dns",
		"/etc/services":                "http\t\t80/tcp",
		"/proc/sys/net/core/somaxconn": "4096\n",
		"/etc/resolv.conf":             "",
	} {
		b, ok := k.File(path)
		if !ok || !strings.Contains(string(b), want) {
			t.Errorf("%s: %q, %v", path, b, ok)
		}
	}
	// The images list /etc's served files from one list.
	for _, p := range k.FilePaths() {
		if strings.HasPrefix(p, "/etc/") && !slices.Contains(files.EtcServed[:], p) {
			t.Errorf("%s is served but not in files.EtcServed", p)
		}
	}
	close(s.reqs)
	<-done
}
