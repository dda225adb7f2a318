package sockets

import (
	"context"
	"io"
	"net/netip"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

const nbcx = unix.SOCK_NONBLOCK | unix.SOCK_CLOEXEC

// TestGoListen replays the calls Go's net package makes for
// net.Listen("tcp", ":0") and one connection it accepts, reads, writes
// and closes.
func TestGoListen(t *testing.T) {
	e := newEnv(t)

	// ipStackCapabilities: IPv4, IPv6 on ::1, v4-mapped on 127.0.0.1.
	fd := e.must(unix.SYS_SOCKET, unix.AF_INET, unix.SOCK_STREAM|nbcx, unix.IPPROTO_TCP)
	e.close(fd)
	for _, p := range []struct {
		ip     string
		v6only int32
	}{{"::1", 1}, {"::ffff:127.0.0.1", 0}} {
		fd := e.must(unix.SYS_SOCKET, unix.AF_INET6, unix.SOCK_STREAM|nbcx, unix.IPPROTO_TCP)
		e.setInt(fd, unix.IPPROTO_IPV6, unix.IPV6_V6ONLY, p.v6only)
		sa, n := e.sockaddr(netip.AddrPortFrom(netip.MustParseAddr(p.ip), 0), unix.AF_INET6)
		e.must(unix.SYS_BIND, fd, sa, n)
		e.close(fd)
	}
	// MPTCP is probed first and must fail so that Go falls back.
	e.fails(unix.EPROTONOSUPPORT, unix.SYS_SOCKET, unix.AF_INET6, unix.SOCK_STREAM|nbcx, unix.IPPROTO_MPTCP)

	ln := e.must(unix.SYS_SOCKET, unix.AF_INET6, unix.SOCK_STREAM|nbcx, unix.IPPROTO_TCP)
	e.setInt(ln, unix.IPPROTO_IPV6, unix.IPV6_V6ONLY, 0)
	e.setInt(ln, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1)
	sa, n := e.sockaddr(netip.AddrPortFrom(netip.IPv6Unspecified(), 0), unix.AF_INET6)
	e.must(unix.SYS_BIND, ln, sa, n)
	e.must(unix.SYS_LISTEN, ln, 4096)
	local := e.name(unix.SYS_GETSOCKNAME, ln)
	if !local.Addr().IsUnspecified() || local.Port() == 0 {
		t.Fatalf("listener bound to %v", local)
	}
	if got := e.getInt(ln, unix.SOL_SOCKET, unix.SO_ACCEPTCONN); got != 1 {
		t.Errorf("SO_ACCEPTCONN = %d", got)
	}

	peer, plen := e.buf(maxAddrLen), e.int32p(maxAddrLen)
	e.fails(unix.EAGAIN, unix.SYS_ACCEPT4, ln, peer, plen, nbcx)

	// A client on B connects to A's IPv4 address: the dual-stack
	// listener becomes readable.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := e.b.DialTCP(ctx, netip.AddrPort{}, netip.AddrPortFrom(addrA, local.Port()))
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer c.Close()
	e.waitEvents(ln, unix.EPOLLIN)

	conn := e.must(unix.SYS_ACCEPT4, ln, peer, plen, nbcx)
	if got := parseSockaddr(e.k.Bytes(peer, int(e.u32(plen)))); !got.Addr().Is4In6() || got.Addr().Unmap() != addrB {
		t.Errorf("peer %v, want %v v4-mapped", got, addrB)
	}
	if e.u32(plen) != sizeofSockaddrInet6 {
		t.Errorf("peer address length %d", e.u32(plen))
	}
	e.setInt(conn, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
	e.setInt(conn, unix.SOL_SOCKET, unix.SO_KEEPALIVE, 1)
	e.setInt(conn, unix.IPPROTO_TCP, unix.TCP_KEEPINTVL, 15)
	e.setInt(conn, unix.IPPROTO_TCP, unix.TCP_KEEPIDLE, 15)
	e.setInt(conn, unix.IPPROTO_TCP, unix.TCP_KEEPCNT, 9)
	if got := e.name(unix.SYS_GETSOCKNAME, conn); got.Addr().Unmap() != addrA || got.Port() != local.Port() {
		t.Errorf("accepted socket's name %v", got)
	}
	for _, o := range []struct {
		level, name int
		want        int32
	}{
		{unix.IPPROTO_TCP, unix.TCP_NODELAY, 1},
		{unix.SOL_SOCKET, unix.SO_KEEPALIVE, 1},
		{unix.IPPROTO_TCP, unix.TCP_KEEPINTVL, 15},
		{unix.IPPROTO_TCP, unix.TCP_KEEPIDLE, 15},
		{unix.IPPROTO_TCP, unix.TCP_KEEPCNT, 9},
		{unix.SOL_SOCKET, unix.SO_TYPE, unix.SOCK_STREAM},
		{unix.SOL_SOCKET, unix.SO_DOMAIN, unix.AF_INET6},
		{unix.SOL_SOCKET, unix.SO_ERROR, 0},
	} {
		if got := e.getInt(conn, o.level, o.name); got != o.want {
			t.Errorf("getsockopt(%d, %d) = %d, want %d", o.level, o.name, got, o.want)
		}
	}

	if _, errno := e.read(conn, 100); errno != unix.EAGAIN {
		t.Fatalf("read before data: %v", errno)
	}
	if _, err := c.Write([]byte("GET / HTTP/1.1\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	e.waitEvents(conn, unix.EPOLLIN)
	got, errno := e.read(conn, 100)
	if errno != 0 || string(got) != "GET / HTTP/1.1\r\n\r\n" {
		t.Fatalf("read %q, %v", got, errno)
	}
	e.write(conn, []byte("HTTP/1.1 200 OK\r\n\r\n"))
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	reply := make([]byte, 19)
	if _, err := io.ReadFull(c, reply); err != nil || string(reply) != "HTTP/1.1 200 OK\r\n\r\n" {
		t.Fatalf("client read %q, %v", reply, err)
	}
	e.close(conn)
	if n, err := c.Read(reply); err != io.EOF {
		t.Fatalf("client read after close: %d, %v", n, err)
	}
	e.close(ln)
	if n := e.l.Sockets(); n != 0 {
		t.Fatalf("%d sockets left", n)
	}
}

// TestGoDial replays net.Dial: a non-blocking connect, the wait for
// writability, SO_ERROR and getpeername.
func TestGoDial(t *testing.T) {
	e := newEnv(t)
	ln, err := e.b.ListenTCP(netip.AddrPortFrom(netip.Addr{}, 8080))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err == nil {
			io.Copy(c, c)
			c.Close()
		}
	}()

	fd := e.must(unix.SYS_SOCKET, unix.AF_INET, unix.SOCK_STREAM|nbcx, 0)
	sa, n := e.sockaddr(netip.AddrPortFrom(addrB, 8080), unix.AF_INET)
	e.fails(unix.EINPROGRESS, unix.SYS_CONNECT, fd, sa, n)
	// Still connecting: no error, no peer.
	e.waitEvents(fd, unix.EPOLLOUT)
	if got := e.getInt(fd, unix.SOL_SOCKET, unix.SO_ERROR); got != 0 {
		t.Fatalf("SO_ERROR %d", got)
	}
	if got := e.name(unix.SYS_GETPEERNAME, fd); got != netip.AddrPortFrom(addrB, 8080) {
		t.Fatalf("peer %v", got)
	}
	if got := e.name(unix.SYS_GETSOCKNAME, fd); got.Addr() != addrA {
		t.Fatalf("name %v", got)
	}
	e.write(fd, []byte("echo"))
	e.waitEvents(fd, unix.EPOLLIN)
	if got, errno := e.read(fd, 10); string(got) != "echo" {
		t.Fatalf("read %q, %v", got, errno)
	}
	e.must(unix.SYS_SHUTDOWN, fd, unix.SHUT_WR)
	e.waitEvents(fd, unix.EPOLLRDHUP)
	if got, errno := e.read(fd, 10); len(got) != 0 || errno != 0 {
		t.Fatalf("read at end: %q, %v", got, errno)
	}
	e.close(fd)
}

// TestConnectRefused: a non-blocking connect to a closed port reports
// ECONNREFUSED through SO_ERROR once, and EPOLLERR.
func TestConnectRefused(t *testing.T) {
	e := newEnv(t)
	fd := e.must(unix.SYS_SOCKET, unix.AF_INET, unix.SOCK_STREAM|nbcx, 0)
	sa, n := e.sockaddr(netip.AddrPortFrom(addrB, 9), unix.AF_INET)
	e.fails(unix.EINPROGRESS, unix.SYS_CONNECT, fd, sa, n)
	e.waitEvents(fd, unix.EPOLLERR|unix.EPOLLHUP)
	if got := e.getInt(fd, unix.SOL_SOCKET, unix.SO_ERROR); got != int32(unix.ECONNREFUSED) {
		t.Fatalf("SO_ERROR %d, want ECONNREFUSED", got)
	}
	e.fails(unix.ENOTCONN, unix.SYS_GETPEERNAME, fd, e.buf(maxAddrLen), e.int32p(maxAddrLen))
	e.close(fd)
}

// TestBlockingConnectAccept: without O_NONBLOCK, connect and accept wait
// in their own goroutines.
func TestBlockingConnectAccept(t *testing.T) {
	e := newEnv(t)
	ln := e.must(unix.SYS_SOCKET, unix.AF_INET, unix.SOCK_STREAM, 0)
	sa, n := e.sockaddr(netip.AddrPortFrom(addrA, 7000), unix.AF_INET)
	e.must(unix.SYS_BIND, ln, sa, n)
	e.must(unix.SYS_LISTEN, ln, 1)
	accepted := make(chan uint64, 1)
	go func() {
		fd, errno := e.call(unix.SYS_ACCEPT, ln, 0, 0)
		if errno != 0 {
			t.Errorf("accept: %v", errno)
		}
		accepted <- fd
	}()
	c := e.must(unix.SYS_SOCKET, unix.AF_INET, unix.SOCK_STREAM, 0)
	e.must(unix.SYS_CONNECT, c, sa, n)
	s := <-accepted

	done := make(chan []byte)
	go func() {
		got, errno := e.read(s, 5)
		if errno != 0 {
			t.Errorf("blocking read: %v", errno)
		}
		done <- got
	}()
	time.Sleep(10 * time.Millisecond)
	e.write(c, []byte("hello"))
	if got := <-done; string(got) != "hello" {
		t.Fatalf("read %q", got)
	}
	// SO_RCVTIMEO bounds a blocking read.
	tv := e.mem(make([]byte, 16))
	e.k.Put(tv+8, []byte{0x20, 0x4e}) // 20000 µs
	e.must(unix.SYS_SETSOCKOPT, s, unix.SOL_SOCKET, unix.SO_RCVTIMEO, tv, 16)
	start := time.Now()
	if _, errno := e.read(s, 5); errno != unix.EAGAIN {
		t.Fatalf("read past SO_RCVTIMEO: %v", errno)
	}
	if d := time.Since(start); d < 20*time.Millisecond {
		t.Fatalf("timed out after %v", d)
	}
	for _, fd := range []uint64{c, s, ln} {
		e.close(fd)
	}
}
