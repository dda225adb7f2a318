package sockets

import (
	"bytes"
	"encoding/binary"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"warren.dev/kernel/sockabi"
)

const nb = unix.SOCK_NONBLOCK

// socketpair makes a pair of AF_UNIX sockets of type typ.
func (e *env) socketpair(typ int) (uint64, uint64) {
	e.t.Helper()
	sv := e.buf(8)
	e.must(unix.SYS_SOCKETPAIR, unix.AF_UNIX, uint64(typ), 0, sv)
	return uint64(e.u32(sv)), uint64(e.u32(sv + 4))
}

// unixAddr puts a sockaddr_un for name in user memory.
func (e *env) unixAddr(name string) (uint64, uint64) {
	b := encodeUnix(name)
	return e.mem(b), uint64(len(b))
}

// rawName reads back the address a call stores with a length pointer.
func (e *env) rawName(nr uint64, fd uint64) []byte {
	e.t.Helper()
	sa, n := e.buf(maxAddrLen), e.int32p(maxAddrLen)
	e.must(nr, fd, sa, n)
	return e.k.Bytes(sa, int(e.u32(n)))
}

func (e *env) expectRead(fd uint64, n int, want string) {
	e.t.Helper()
	got, errno := e.read(fd, n)
	if errno != 0 || string(got) != want {
		e.t.Fatalf("read fd %d: %q, %v; want %q", fd, got, errno, want)
	}
}

// recvFlags is recvfrom with flags into a buffer of n bytes: the
// result, the bytes and the errno.
func (e *env) recvFlags(fd uint64, n, flags int) (int, []byte, unix.Errno) {
	buf := e.buf(n)
	got, errno := e.call(unix.SYS_RECVFROM, fd, buf, uint64(n), uint64(flags), 0, 0)
	if errno != 0 {
		return 0, nil, errno
	}
	return int(got), e.k.Bytes(buf, min(int(got), n)), 0
}

// listenUnix binds a listener of typ to name.
func (e *env) listenUnix(typ int, name string) uint64 {
	e.t.Helper()
	fd := e.must(unix.SYS_SOCKET, unix.AF_UNIX, uint64(typ|nb), 0)
	e.must(unix.SYS_BIND, e.unixAddrArgs(fd, name)...)
	e.must(unix.SYS_LISTEN, fd, 8)
	return fd
}

// unixAddrArgs is the arguments fd, addr, addrlen of bind or connect.
func (e *env) unixAddrArgs(fd uint64, name string) []uint64 {
	a, n := e.unixAddr(name)
	return []uint64{fd, a, n}
}

// TestUnixStreamPair: a socketpair carries bytes in order both ways,
// merged across writes; MSG_PEEK leaves them; EOF follows the peer's
// close, and writing to a closed peer is EPIPE.
func TestUnixStreamPair(t *testing.T) {
	e := newEnv(t)
	a, b := e.socketpair(unix.SOCK_STREAM | nb)
	e.fails(unix.EAGAIN, unix.SYS_READ, a, e.buf(4), 4)
	e.write(a, []byte("hello, "))
	e.write(a, []byte("world"))
	e.write(b, []byte("back"))
	if n, got, _ := e.recvFlags(b, 64, unix.MSG_PEEK); n != 12 || string(got) != "hello, world" {
		t.Fatalf("peek %d %q", n, got)
	}
	e.expectRead(b, 3, "hel")
	e.expectRead(b, 64, "lo, world")
	e.expectRead(a, 64, "back")
	if got := e.rawName(unix.SYS_GETPEERNAME, a); !bytes.Equal(got, []byte{unix.AF_UNIX, 0}) {
		t.Errorf("getpeername %v, want the family alone", got)
	}
	if got := e.rawName(unix.SYS_GETSOCKNAME, a); len(got) != 2 {
		t.Errorf("getsockname %v, want the family alone", got)
	}
	if ev := e.waitEvents(a, unix.EPOLLOUT); ev&sockabi.ExactIO == 0 {
		t.Errorf("connected stream: events %#x without ExactIO", ev)
	}
	e.write(a, []byte("last"))
	e.close(a)
	e.expectRead(b, 64, "last")
	e.expectRead(b, 64, "")
	if ev := e.waitEvents(b, unix.EPOLLHUP); ev&(unix.EPOLLRDHUP|unix.EPOLLIN) != unix.EPOLLRDHUP|unix.EPOLLIN {
		t.Errorf("after the peer's close: events %#x", ev)
	}
	e.fails(unix.EPIPE, unix.SYS_WRITE, b, e.mem([]byte("x")), 1)
	e.close(b)
	if n := e.l.Sockets(); n != 0 {
		t.Fatalf("%d sockets left", n)
	}
}

// TestUnixPairHalfUnused: closing a half of a pair that was never used
// still ends the other's stream; closing both unused leaves nothing.
func TestUnixPairHalfUnused(t *testing.T) {
	e := newEnv(t)
	a, b := e.socketpair(unix.SOCK_STREAM | nb)
	e.close(a)
	e.expectRead(b, 8, "")
	e.close(b)
	a, b = e.socketpair(unix.SOCK_DGRAM)
	e.close(b)
	e.close(a)
	if n := e.l.Sockets(); n != 0 {
		t.Fatalf("%d sockets left", n)
	}
	e.fails(unix.EOPNOTSUPP, unix.SYS_SOCKETPAIR, unix.AF_INET6, unix.SOCK_STREAM, 0, e.buf(8))
	e.fails(unix.EAFNOSUPPORT, unix.SYS_SOCKETPAIR, unix.AF_NETLINK, unix.SOCK_DGRAM, 0, e.buf(8))
	e.fails(unix.ESOCKTNOSUPPORT, unix.SYS_SOCKETPAIR, unix.AF_UNIX, unix.SOCK_RAW, 0, e.buf(8))
	e.fails(unix.EFAULT, unix.SYS_SOCKETPAIR, unix.AF_UNIX, unix.SOCK_STREAM, 0, 8)
}

// TestUnixMessages: datagram and seqpacket pairs keep message
// boundaries; a short buffer truncates (MSG_TRUNC in the flags, the full
// length with MSG_TRUNC asked); a seqpacket reader sees EOF after the
// peer's close.
func TestUnixMessages(t *testing.T) {
	for _, typ := range []int{unix.SOCK_DGRAM, unix.SOCK_SEQPACKET} {
		e := newEnv(t)
		a, b := e.socketpair(typ | nb)
		for _, m := range []string{"one", "two two", ""} {
			e.must(unix.SYS_WRITE, a, e.mem([]byte(m+"x")), uint64(len(m)))
		}
		e.write(a, []byte("truncated"))
		e.write(a, []byte("peeked"))
		e.expectRead(b, 64, "one")
		e.expectRead(b, 64, "two two")
		e.expectRead(b, 64, "")
		if n, got, _ := e.recvFlags(b, 4, unix.MSG_TRUNC); n != 9 || string(got) != "trun" {
			t.Errorf("type %d: MSG_TRUNC recv %d %q", typ, n, got)
		}
		if n, got, _ := e.recvFlags(b, 64, unix.MSG_PEEK); n != 6 || string(got) != "peeked" {
			t.Errorf("type %d: peek %d %q", typ, n, got)
		}
		e.expectRead(b, 64, "peeked")
		e.fails(unix.EAGAIN, unix.SYS_READ, b, e.buf(4), 4)
		// recvmsg reports truncation in msg_flags.
		e.write(a, []byte("0123456789"))
		msg, _ := e.msghdr(4)
		if n := e.must(unix.SYS_RECVMSG, b, msg, 0); n != 4 || e.u32(msg+msgFlagsOff)&unix.MSG_TRUNC == 0 {
			t.Errorf("type %d: recvmsg %d, flags %#x", typ, n, e.u32(msg+msgFlagsOff))
		}
		e.close(a)
		if typ == unix.SOCK_SEQPACKET {
			e.expectRead(b, 8, "")
			e.fails(unix.EPIPE, unix.SYS_WRITE, b, e.mem([]byte("x")), 1)
		} else {
			e.fails(unix.EAGAIN, unix.SYS_READ, b, e.buf(4), 4)
			e.fails(unix.ECONNREFUSED, unix.SYS_WRITE, b, e.mem([]byte("x")), 1)
		}
		e.close(b)
	}
}

// TestUnixListen: a stream listener on an abstract name and one on a
// path name (a socket file, here the fake kernel's) accept connections; names come back from getsockname,
// getpeername and accept; wrong names, types and duplicates fail as on
// Linux.
func TestUnixListen(t *testing.T) {
	e := newEnv(t)
	for _, name := range []string{"\x00warren-test", "/tmp/warren.sock"} {
		ln := e.listenUnix(unix.SOCK_STREAM, name)
		if ev := e.waitEvents(ln, sockabi.ExactAccept); ev&unix.EPOLLIN != 0 {
			t.Errorf("idle listener: events %#x", ev)
		}
		e.fails(unix.EAGAIN, unix.SYS_ACCEPT4, ln, 0, 0, nb)
		dup := e.must(unix.SYS_SOCKET, unix.AF_UNIX, unix.SOCK_STREAM, 0)
		e.fails(unix.EADDRINUSE, unix.SYS_BIND, e.unixAddrArgs(dup, name)...)
		e.close(dup)

		c := e.must(unix.SYS_SOCKET, unix.AF_UNIX, unix.SOCK_STREAM|nb, 0)
		e.must(unix.SYS_CONNECT, e.unixAddrArgs(c, name)...)
		e.fails(unix.EISCONN, unix.SYS_CONNECT, e.unixAddrArgs(c, name)...)
		e.waitEvents(ln, unix.EPOLLIN)
		sa, salen := e.buf(maxAddrLen), e.int32p(maxAddrLen)
		s := e.must(unix.SYS_ACCEPT4, ln, sa, salen, nb)
		if got := e.k.Bytes(sa, int(e.u32(salen))); len(got) != 2 {
			t.Errorf("accept's peer %q, want the family alone", got)
		}
		want := encodeUnix(name)
		for _, got := range [][]byte{e.rawName(unix.SYS_GETSOCKNAME, ln), e.rawName(unix.SYS_GETPEERNAME, c), e.rawName(unix.SYS_GETSOCKNAME, s)} {
			if !bytes.Equal(got, want) {
				t.Errorf("name %q, want %q", got, want)
			}
		}
		e.write(c, []byte("ping"))
		e.expectRead(s, 8, "ping")
		e.write(s, []byte("pong"))
		e.expectRead(c, 8, "pong")
		e.close(c)
		e.close(s)
		e.close(ln)
		// An abstract name is free again once its socket is closed; a
		// path's socket file stays, refusing connections, until it is
		// unlinked.
		if name[0] != 0 {
			dup := e.must(unix.SYS_SOCKET, unix.AF_UNIX, unix.SOCK_STREAM, 0)
			e.fails(unix.ECONNREFUSED, unix.SYS_CONNECT, e.unixAddrArgs(dup, name)...)
			e.fails(unix.EADDRINUSE, unix.SYS_BIND, e.unixAddrArgs(dup, name)...)
			e.close(dup)
			e.k.Unlink(name)
		}
		again := e.listenUnix(unix.SOCK_STREAM, name)
		e.close(again)
	}
	c := e.must(unix.SYS_SOCKET, unix.AF_UNIX, unix.SOCK_STREAM|nb, 0)
	e.fails(unix.ECONNREFUSED, unix.SYS_CONNECT, e.unixAddrArgs(c, "\x00nobody")...)
	e.fails(unix.ENOENT, unix.SYS_CONNECT, e.unixAddrArgs(c, "/tmp/nobody")...)
	e.fails(unix.EINVAL, unix.SYS_CONNECT, c, e.int32p(unix.AF_INET), 2)
	seq := e.listenUnix(unix.SOCK_SEQPACKET, "\x00seq")
	e.fails(unix.EPROTOTYPE, unix.SYS_CONNECT, e.unixAddrArgs(c, "\x00seq")...)
	bound := e.must(unix.SYS_SOCKET, unix.AF_UNIX, unix.SOCK_STREAM, 0)
	e.must(unix.SYS_BIND, e.unixAddrArgs(bound, "\x00bound")...)
	e.fails(unix.ECONNREFUSED, unix.SYS_CONNECT, e.unixAddrArgs(c, "\x00bound")...)
	e.fails(unix.EINVAL, unix.SYS_BIND, e.unixAddrArgs(bound, "\x00other")...)
	unbound := e.must(unix.SYS_SOCKET, unix.AF_UNIX, unix.SOCK_STREAM, 0)
	e.fails(unix.EINVAL, unix.SYS_LISTEN, unbound, 1)
	// A bare family autobinds an abstract name of five hex digits.
	e.must(unix.SYS_BIND, unbound, e.int32p(unix.AF_UNIX), 2)
	if got := e.rawName(unix.SYS_GETSOCKNAME, unbound); len(got) != 8 || got[2] != 0 {
		t.Errorf("autobound name %q", got)
	}
	for _, fd := range []uint64{c, seq, bound, unbound} {
		e.close(fd)
	}
	if n := e.l.Sockets(); n != 0 {
		t.Fatalf("%d sockets left", n)
	}
}

// TestUnixBacklog: a full backlog makes a non-blocking connect EAGAIN,
// and a blocking one waits for an accept; closing the listener resets
// the connections it never accepted.
func TestUnixBacklog(t *testing.T) {
	e := newEnv(t)
	ln := e.must(unix.SYS_SOCKET, unix.AF_UNIX, unix.SOCK_STREAM|nb, 0)
	e.must(unix.SYS_BIND, e.unixAddrArgs(ln, "\x00backlog")...)
	e.must(unix.SYS_LISTEN, ln, 0)
	first := e.must(unix.SYS_SOCKET, unix.AF_UNIX, unix.SOCK_STREAM|nb, 0)
	e.must(unix.SYS_CONNECT, e.unixAddrArgs(first, "\x00backlog")...)
	second := e.must(unix.SYS_SOCKET, unix.AF_UNIX, unix.SOCK_STREAM|nb, 0)
	e.fails(unix.EAGAIN, unix.SYS_CONNECT, e.unixAddrArgs(second, "\x00backlog")...)
	blocking := e.must(unix.SYS_SOCKET, unix.AF_UNIX, unix.SOCK_STREAM, 0)
	addr, n := e.unixAddr("\x00backlog")
	done := make(chan unix.Errno)
	go func() {
		_, errno := e.call(unix.SYS_CONNECT, blocking, addr, n)
		done <- errno
	}()
	select {
	case errno := <-done:
		t.Fatalf("connect to a full backlog returned %v", errno)
	case <-time.After(50 * time.Millisecond):
	}
	s := e.must(unix.SYS_ACCEPT4, ln, 0, 0, nb)
	if errno := <-done; errno != 0 {
		t.Fatalf("blocked connect: %v", errno)
	}
	e.close(ln)
	e.fails(unix.ECONNRESET, unix.SYS_READ, blocking, e.buf(4), 4)
	e.expectRead(blocking, 4, "")
	e.write(first, []byte("accepted"))
	e.expectRead(s, 64, "accepted")
	for _, fd := range []uint64{first, second, blocking, s} {
		e.close(fd)
	}
}

// TestUnixBuffers: a stream sender may queue SO_SNDBUF bytes at its
// peer: a non-blocking write then takes what fits and EAGAIN follows,
// EPOLLOUT goes and comes back when the reader drains; a blocking write
// waits. Unread data at close resets the peer.
func TestUnixBuffers(t *testing.T) {
	e := newEnv(t)
	a, b := e.socketpair(unix.SOCK_STREAM | nb)
	e.setInt(a, unix.SOL_SOCKET, unix.SO_SNDBUF, 1000)
	if got := e.getInt(a, unix.SOL_SOCKET, unix.SO_SNDBUF); got != unixMinBuf {
		t.Fatalf("SO_SNDBUF %d, want the minimum %d", got, unixMinBuf)
	}
	e.setInt(a, unix.SOL_SOCKET, unix.SO_SNDBUF, 4096)
	if got := e.getInt(a, unix.SOL_SOCKET, unix.SO_SNDBUF); got != 8192 {
		t.Fatalf("SO_SNDBUF %d, want 8192 (doubled)", got)
	}
	big := bytes.Repeat([]byte("0123456789abcdef"), 1024) // 16 KiB
	if n := e.write(a, big); n != 8192 {
		t.Fatalf("write took %d, want 8192", n)
	}
	e.fails(unix.EAGAIN, unix.SYS_WRITE, a, e.mem([]byte("x")), 1)
	if ev := e.waitEvents(a, sockabi.ExactIO); ev&unix.EPOLLOUT != 0 {
		t.Fatalf("full: events %#x", ev)
	}
	if got, _ := e.read(b, 16384); !bytes.Equal(got, big[:8192]) {
		t.Fatalf("read %d bytes, not the first 8192", len(got))
	}
	e.waitEvents(a, unix.EPOLLOUT)
	e.k.SetNonblock(int(a), false)
	done := make(chan uint64)
	go func() { done <- e.write(a, big) }()
	var got []byte
	for len(got) < len(big) {
		e.waitEvents(b, unix.EPOLLIN)
		p, errno := e.read(b, 4096)
		if errno != 0 && errno != unix.EAGAIN {
			t.Fatal(errno)
		}
		got = append(got, p...)
	}
	if n := <-done; n != uint64(len(big)) || !bytes.Equal(got, big) {
		t.Fatalf("blocking write %d; read %d bytes, equal %v", n, len(got), bytes.Equal(got, big))
	}
	e.write(b, []byte("unread"))
	e.close(a)
	e.fails(unix.ECONNRESET, unix.SYS_READ, b, e.buf(4), 4)
	e.close(b)
}

// TestUnixShutdown: SHUT_WR ends the peer's stream (EOF, EPOLLRDHUP)
// and makes the shut side's writes EPIPE; SHUT_RD makes the peer's
// writes EPIPE; MSG_DONTWAIT on a blocking socket does not wait.
func TestUnixShutdown(t *testing.T) {
	e := newEnv(t)
	a, b := e.socketpair(unix.SOCK_STREAM)
	e.fails(unix.EAGAIN, unix.SYS_RECVFROM, b, e.buf(4), 4, unix.MSG_DONTWAIT, 0, 0)
	e.write(a, []byte("bye"))
	e.must(unix.SYS_SHUTDOWN, a, unix.SHUT_WR)
	e.fails(unix.EPIPE, unix.SYS_WRITE, a, e.mem([]byte("x")), 1)
	e.expectRead(b, 8, "bye")
	e.expectRead(b, 8, "")
	if ev := e.waitEvents(b, unix.EPOLLRDHUP); ev&unix.EPOLLHUP != 0 {
		t.Errorf("half-closed: events %#x, HUP too", ev)
	}
	e.write(b, []byte("still"))
	e.expectRead(a, 8, "still")
	e.must(unix.SYS_SHUTDOWN, a, unix.SHUT_RD)
	e.fails(unix.EPIPE, unix.SYS_WRITE, b, e.mem([]byte("x")), 1)
	e.waitEvents(a, unix.EPOLLHUP)
	e.fails(unix.EINVAL, unix.SYS_SHUTDOWN, a, 7)
	e.close(a)
	e.close(b)
}

// TestUnixDgram: unconnected datagram sockets address each other by
// name; recvfrom reports the sender's name (none for an unbound one); a
// full receive queue makes a sender EAGAIN until it drains; connect sets
// a default destination that another socket's datagrams cannot reach.
func TestUnixDgram(t *testing.T) {
	e := newEnv(t)
	srv := e.must(unix.SYS_SOCKET, unix.AF_UNIX, unix.SOCK_DGRAM|nb, 0)
	e.must(unix.SYS_BIND, e.unixAddrArgs(srv, "/run/srv")...)
	cli := e.must(unix.SYS_SOCKET, unix.AF_UNIX, unix.SOCK_DGRAM|nb, 0)
	to, tolen := e.unixAddr("/run/srv")
	e.fails(unix.ENOTCONN, unix.SYS_WRITE, cli, e.mem([]byte("x")), 1)
	e.must(unix.SYS_SENDTO, cli, e.mem([]byte("anon")), 4, 0, to, tolen)
	e.must(unix.SYS_BIND, e.unixAddrArgs(cli, "\x00cli")...)
	for i := range maxDgramQueue - 1 {
		e.must(unix.SYS_SENDTO, cli, e.mem([]byte{byte('a' + i)}), 1, 0, to, tolen)
	}
	e.fails(unix.EAGAIN, unix.SYS_SENDTO, cli, e.mem([]byte("full")), 4, 0, to, tolen)
	buf, from, fromlen := e.buf(16), e.buf(maxAddrLen), e.int32p(maxAddrLen)
	if n := e.must(unix.SYS_RECVFROM, srv, buf, 16, 0, from, fromlen); n != 4 || e.u32(fromlen) != 0 {
		t.Errorf("from an unbound sender: %d bytes, address length %d", n, e.u32(fromlen))
	}
	e.waitEvents(cli, unix.EPOLLOUT)
	e.k.Put(fromlen, binary.LittleEndian.AppendUint32(nil, maxAddrLen))
	e.must(unix.SYS_RECVFROM, srv, buf, 16, 0, from, fromlen)
	if got := e.k.Bytes(from, int(e.u32(fromlen))); !bytes.Equal(got, encodeUnix("\x00cli")) {
		t.Errorf("from %q", got)
	}
	e.must(unix.SYS_SENDTO, cli, e.mem([]byte("room")), 4, 0, to, tolen)
	fion := e.buf(4)
	if e.must(unix.SYS_IOCTL, srv, unix.SIOCINQ, fion); e.u32(fion) != 1 {
		t.Errorf("FIONREAD %d, want the next datagram's length 1", e.u32(fion))
	}
	for range maxDgramQueue - 2 { // b, c, ...
		e.must(unix.SYS_READ, srv, buf, 16)
	}
	e.expectRead(srv, 16, "room")

	e.must(unix.SYS_CONNECT, e.unixAddrArgs(srv, "\x00cli")...)
	other := e.must(unix.SYS_SOCKET, unix.AF_UNIX, unix.SOCK_DGRAM|nb, 0)
	e.fails(unix.EPERM, unix.SYS_SENDTO, other, e.mem([]byte("x")), 1, 0, to, tolen)
	e.write(srv, []byte("reply"))
	e.expectRead(cli, 16, "reply")
	e.must(unix.SYS_CONNECT, srv, e.int32p(unix.AF_UNSPEC), 2)
	e.fails(unix.ENOTCONN, unix.SYS_WRITE, srv, e.mem([]byte("x")), 1)
	e.fails(unix.EMSGSIZE, unix.SYS_SENDTO, other, e.mem(make([]byte, unixDefaultBuf)), unixDefaultBuf, 0, to, tolen)
	for _, fd := range []uint64{srv, cli, other} {
		e.close(fd)
	}
	if n := e.l.Sockets(); n != 0 {
		t.Fatalf("%d sockets left", n)
	}
}

// TestUnixBlockingRead: a blocking read on a pair waits for a write, on
// the forwarded path.
func TestUnixBlockingRead(t *testing.T) {
	e := newEnv(t)
	a, b := e.socketpair(unix.SOCK_SEQPACKET)
	buf := e.buf(16)
	done := make(chan uint64)
	go func() {
		n, _ := e.call(unix.SYS_READ, b, buf, 16)
		done <- n
	}()
	time.Sleep(20 * time.Millisecond)
	e.write(a, []byte("wake"))
	if n := <-done; n != 4 || string(e.k.Bytes(buf, 4)) != "wake" {
		t.Fatalf("blocking read %d %q", n, e.k.Bytes(buf, 4))
	}
	e.close(a)
	e.close(b)
}

// TestUnixForwarded runs the unix socket tests with every call
// forwarded, as a ring-3 process's are, instead of served directly.
func TestUnixForwarded(t *testing.T) {
	forwardAll = true
	defer func() { forwardAll = false }()
	for _, test := range []struct {
		name string
		fn   func(*testing.T)
	}{
		{"StreamPair", TestUnixStreamPair}, {"PairHalfUnused", TestUnixPairHalfUnused},
		{"Messages", TestUnixMessages}, {"Listen", TestUnixListen}, {"Backlog", TestUnixBacklog},
		{"Buffers", TestUnixBuffers}, {"Shutdown", TestUnixShutdown}, {"Dgram", TestUnixDgram},
		{"Rights", TestRights}, {"RightsDropped", TestRightsDropped}, {"RightsStream", TestRightsStream},
		{"Credentials", TestCredentials},
	} {
		t.Run(test.name, test.fn)
	}
}
