package sockets

import (
	"net/netip"
	"testing"

	"golang.org/x/sys/unix"

	"warren.dev/kernel/sockabi"
)

// TestReadiness: events reach the kernel at creation, on arrivals after
// EAGAIN, and on hang-up; a caller's EAGAIN re-arms an unchanged event.
func TestReadiness(t *testing.T) {
	e := newEnv(t)
	udp := e.must(unix.SYS_SOCKET, unix.AF_INET, unix.SOCK_DGRAM|nbcx, 0)
	e.setInt(udp, unix.SOL_SOCKET, unix.SO_BROADCAST, 1) // makes the endpoint
	if ev := e.k.Events(e.sock(udp)); ev&unix.EPOLLOUT == 0 || ev&sockabi.ExactIO == 0 {
		t.Fatalf("new UDP socket: events %#x, want EPOLLOUT and ExactIO", ev)
	}
	e.close(udp)

	c, s := e.pair()
	if _, errno := e.read(s, 10); errno != unix.EAGAIN {
		t.Fatalf("read: %v", errno)
	}
	if ev := e.k.Events(e.sock(s)); ev&unix.EPOLLIN != 0 {
		t.Fatalf("empty socket reported readable: %#x", ev)
	}
	e.write(c, []byte("one"))
	e.waitEvents(s, unix.EPOLLIN)
	if got, _ := e.read(s, 10); string(got) != "one" {
		t.Fatalf("read %q", got)
	}
	if ev := e.k.Events(e.sock(s)); ev&unix.EPOLLIN != 0 || ev&sockabi.ExactIO == 0 {
		t.Fatalf("drained socket: events %#x, want no EPOLLIN and ExactIO (a read would block)", ev)
	}

	// Unchanged events are not reported again, unless a caller found
	// them missing in between.
	e.write(c, []byte("two"))
	e.waitEvents(s, unix.EPOLLIN)
	sk, _ := e.l.sock(&call{Request: sockabi.Request{Sock: e.sock(s)}})
	n := e.k.Readies()
	e.l.report(sk)
	if e.k.Readies() != n {
		t.Fatal("unchanged events reported")
	}
	e.l.again(sk, evIn)
	if e.k.Readies() != n+1 {
		t.Fatal("an arrival after EAGAIN was not reported")
	}

	// The peer's close: EPOLLRDHUP and end of file; a read no longer
	// blocks, so the events stop being exact.
	e.close(c)
	e.waitEvents(s, unix.EPOLLRDHUP)
	if ev := e.k.Events(e.sock(s)); ev&sockabi.ExactIO != 0 {
		t.Errorf("half-closed socket: events %#x still ExactIO", ev)
	}
	e.read(s, 10)
	if got, errno := e.read(s, 10); len(got) != 0 || errno != 0 {
		t.Fatalf("read after peer close: %q, %v", got, errno)
	}
	sock := e.sock(s)
	e.close(s)
	n = e.k.Readies()
	e.l.report(sk)
	e.l.again(sk, evIn)
	if e.k.Readies() != n {
		t.Fatalf("socket %d reported after release", sock)
	}
}

// A listening socket's events decide accept: once its one connection is
// taken, it is reported without EPOLLIN and with ExactAccept, so the
// kernel can answer the next accept on a non-blocking descriptor itself.
func TestReadinessAfterAccept(t *testing.T) {
	e := newEnv(t)
	ln := e.must(unix.SYS_SOCKET, unix.AF_INET, unix.SOCK_STREAM|nbcx, 0)
	sa, n := e.sockaddr(netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), 0), unix.AF_INET)
	e.must(unix.SYS_BIND, ln, sa, n)
	e.must(unix.SYS_LISTEN, ln, 8)
	c := e.must(unix.SYS_SOCKET, unix.AF_INET, unix.SOCK_STREAM|nbcx, 0)
	sa, n = e.sockaddr(e.name(unix.SYS_GETSOCKNAME, ln), unix.AF_INET)
	e.fails(unix.EINPROGRESS, unix.SYS_CONNECT, c, sa, n)
	e.waitEvents(ln, unix.EPOLLIN)
	e.must(unix.SYS_ACCEPT4, ln, 0, 0, nbcx)
	if ev := e.k.Events(e.sock(ln)); ev&unix.EPOLLIN != 0 || ev&sockabi.ExactAccept == 0 || ev&sockabi.ExactIO != 0 {
		t.Fatalf("listener after its accept: events %#x, want ExactAccept alone", ev)
	}
}

// A connected stream's addresses are asked of netstack again only when a
// state event changes; a reset, which changes one, takes the peer away
// from getpeername.
func TestAddrsFollowConnection(t *testing.T) {
	withBoth := &sockState{local: []byte{2}, peer: []byte{2}, last: unix.EPOLLOUT}
	for _, c := range []struct {
		st   *sockState
		ev   uint32
		want bool
	}{
		{withBoth, unix.EPOLLOUT | unix.EPOLLIN, false},
		{withBoth, 0, false},
		{withBoth, unix.EPOLLOUT | unix.EPOLLRDHUP, true},
		{withBoth, unix.EPOLLOUT | unix.EPOLLHUP | unix.EPOLLERR, true},
		{&sockState{local: []byte{2}, last: 0}, unix.EPOLLOUT, true}, // a connect completes
		{&sockState{last: unix.EPOLLOUT}, unix.EPOLLIN, true},
	} {
		if got := addrsMayChange(c.st, c.ev); got != c.want {
			t.Errorf("local %v, peer %v, events %#x -> %#x: addrsMayChange %v, want %v", c.st.local, c.st.peer, c.st.last, c.ev, got, c.want)
		}
	}

	e := newEnv(t)
	c, s := e.pair()
	e.write(c, []byte("x"))
	e.waitEvents(s, unix.EPOLLIN)
	e.read(s, 10)
	if p := e.name(unix.SYS_GETPEERNAME, s); !p.IsValid() {
		t.Fatalf("getpeername of an accepted socket: %v", p)
	}
	lg := e.mem([]byte{1, 0, 0, 0, 0, 0, 0, 0}) // linger 0: close resets
	e.must(unix.SYS_SETSOCKOPT, c, unix.SOL_SOCKET, unix.SO_LINGER, lg, 8)
	e.close(c)
	e.waitEvents(s, unix.EPOLLHUP)
	e.fails(unix.ENOTCONN, unix.SYS_GETPEERNAME, s, e.buf(maxAddrLen), e.int32p(maxAddrLen))
}
