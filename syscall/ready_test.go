package syscall

import (
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
	if ev := e.k.Events(e.sock(udp)); ev&unix.EPOLLOUT == 0 {
		t.Fatalf("new UDP socket: events %#x, no EPOLLOUT", ev)
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
	if ev := e.k.Events(e.sock(s)); ev&unix.EPOLLIN != 0 {
		t.Fatalf("drained socket still readable: %#x", ev)
	}

	// Unchanged events are not reported again, unless a caller found
	// them missing in between.
	e.write(c, []byte("two"))
	e.waitEvents(s, unix.EPOLLIN)
	sk, _ := e.l.sock(&sockabi.Request{Sock: e.sock(s)})
	n := e.k.Readies()
	e.l.report(sk)
	if e.k.Readies() != n {
		t.Fatal("unchanged events reported")
	}
	e.l.again(sk, evIn)
	if e.k.Readies() != n+1 {
		t.Fatal("an arrival after EAGAIN was not reported")
	}

	// The peer's close: EPOLLRDHUP and end of file.
	e.close(c)
	e.waitEvents(s, unix.EPOLLRDHUP)
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
