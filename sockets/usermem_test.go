package sockets

import (
	"encoding/binary"
	"net/netip"
	"testing"

	"golang.org/x/sys/unix"

	"warren.dev/kernel/sockabi"
)

func TestFakeKernelFaults(t *testing.T) {
	k := NewFakeKernel(4096)
	id := k.Request(unix.SYS_READ).ID
	b := make([]byte, 8)
	for _, addr := range []uint64{0, FakeBase - 1, FakeBase + 4096 - 7, ^uint64(0) - 3} {
		if e := k.CopyIn(id, addr, b); e != unix.EFAULT {
			t.Errorf("CopyIn(%#x): %v", addr, e)
		}
		if e := k.CopyOut(id, addr, b); e != unix.EFAULT {
			t.Errorf("CopyOut(%#x): %v", addr, e)
		}
	}
	if e := k.CopyOut(id, FakeBase+4096-8, b); e != 0 {
		t.Errorf("last 8 bytes: %v", e)
	}
	if e := k.CopyIn(id, 0, nil); e != 0 {
		t.Errorf("empty copy faulted: %v", e)
	}
}

// TestFakeKernelRequests: copies and installs name a request being
// served, as the kernel checks; any other fails with EINVAL.
func TestFakeKernelRequests(t *testing.T) {
	k := NewFakeKernel(4096)
	live := k.Request(unix.SYS_READ).ID
	done := k.Request(unix.SYS_READ).ID
	k.Done(done)
	b := make([]byte, 8)
	for _, id := range []uint64{0, done, done + 1} {
		if e := k.CopyIn(id, FakeBase, b); e != unix.EINVAL {
			t.Errorf("CopyIn for request %d: %v", id, e)
		}
		if e := k.CopyOut(id, FakeBase, b); e != unix.EINVAL {
			t.Errorf("CopyOut for request %d: %v", id, e)
		}
		if e := k.CopyIn(id, FakeBase, nil); e != unix.EINVAL {
			t.Errorf("empty CopyIn for request %d: %v", id, e)
		}
		if id == sockabi.DirectID {
			continue // the program itself, for a call it serves (direct.go)
		}
		if _, _, e := k.Install(id, 0, unix.AF_INET, unix.SOCK_STREAM, 0); e != unix.EINVAL {
			t.Errorf("Install for request %d: %v", id, e)
		}
	}
	if fds := k.FDs(); len(fds) != 0 {
		t.Errorf("descriptors %v installed for no request", fds)
	}
	if e := k.CopyOut(live, FakeBase, b); e != 0 {
		t.Errorf("CopyOut for a live request: %v", e)
	}
	if _, _, e := k.Install(live, 0, unix.AF_INET, unix.SOCK_STREAM, 0); e != 0 {
		t.Errorf("Install for a live request: %v", e)
	}
}

// TestStaleRequest: handlers copy and install for the request they serve,
// so one served again after its reply gets EINVAL and leaves no socket
// or descriptor behind.
func TestStaleRequest(t *testing.T) {
	e := newEnv(t)
	ln := e.must(unix.SYS_SOCKET, unix.AF_INET, unix.SOCK_STREAM|nbcx, 0)
	sa, n := e.sockaddr(netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), 0), unix.AF_INET)
	e.must(unix.SYS_BIND, ln, sa, n)
	e.must(unix.SYS_LISTEN, ln, 8)
	sa, n = e.sockaddr(e.name(unix.SYS_GETSOCKNAME, ln), unix.AF_INET)
	c := e.must(unix.SYS_SOCKET, unix.AF_INET, unix.SOCK_STREAM|nbcx, 0)
	e.fails(unix.EINPROGRESS, unix.SYS_CONNECT, c, sa, n)
	e.waitEvents(ln, unix.EPOLLIN)
	fds, socks := len(e.k.FDs()), e.l.Sockets()
	for _, args := range [][]uint64{
		{unix.SYS_GETSOCKOPT, ln, unix.SOL_SOCKET, unix.SO_TYPE, e.buf(4), e.int32p(4)},
		{unix.SYS_SETSOCKOPT, ln, unix.SOL_SOCKET, unix.SO_REUSEADDR, e.int32p(1), 4},
		{unix.SYS_ACCEPT4, ln, 0, 0, nbcx},
	} {
		r := e.k.Request(args[0], args[1:]...)
		e.k.Done(r.ID)
		if _, errno := e.l.Handle(&r); errno != unix.EINVAL {
			t.Errorf("%s after its reply: %v, want EINVAL", callName(r.Nr), errno)
		}
	}
	if len(e.k.FDs()) != fds || e.l.Sockets() != socks {
		t.Errorf("descriptors %d -> %d, sockets %d -> %d", fds, len(e.k.FDs()), socks, e.l.Sockets())
	}
	e.close(c)
	e.close(ln)
}

// TestBadPointers: every pointer argument is checked.
func TestBadPointers(t *testing.T) {
	e := newEnv(t)
	const bad = 8 // below FakeBase
	tcp := e.must(unix.SYS_SOCKET, unix.AF_INET, unix.SOCK_STREAM|nbcx, 0)
	udp := e.must(unix.SYS_SOCKET, unix.AF_INET, unix.SOCK_DGRAM|nbcx, 0)
	sa, n := e.sockaddr(netip.AddrPortFrom(addrA, 0), unix.AF_INET)
	e.must(unix.SYS_BIND, udp, sa, n)
	sa, n = e.sockaddr(e.name(unix.SYS_GETSOCKNAME, udp), unix.AF_INET)
	good := e.int32p(maxAddrLen)

	e.fails(unix.EFAULT, unix.SYS_BIND, tcp, bad, sizeofSockaddrInet4)
	e.fails(unix.EFAULT, unix.SYS_CONNECT, tcp, bad, sizeofSockaddrInet4)
	e.fails(unix.EFAULT, unix.SYS_GETSOCKNAME, tcp, e.buf(maxAddrLen), bad)
	e.fails(unix.EFAULT, unix.SYS_GETSOCKNAME, tcp, bad, good)
	e.fails(unix.EFAULT, unix.SYS_SETSOCKOPT, tcp, unix.SOL_SOCKET, unix.SO_REUSEADDR, bad, 4)
	e.fails(unix.EFAULT, unix.SYS_GETSOCKOPT, tcp, unix.SOL_SOCKET, unix.SO_REUSEADDR, e.buf(4), bad)
	e.fails(unix.EFAULT, unix.SYS_GETSOCKOPT, tcp, unix.SOL_SOCKET, unix.SO_REUSEADDR, bad, e.int32p(4))
	e.fails(unix.EFAULT, unix.SYS_SENDTO, udp, bad, 10, 0, sa, n)
	e.fails(unix.EFAULT, unix.SYS_SENDTO, udp, e.buf(10), 10, 0, bad, n)
	e.fails(unix.EFAULT, unix.SYS_WRITEV, udp, bad, 1)
	e.fails(unix.EFAULT, unix.SYS_SENDMSG, udp, bad, 0)
	e.fails(unix.EFAULT, unix.SYS_RECVMSG, udp, bad, 0)
	e.fails(unix.EFAULT, unix.SYS_ACCEPT4, tcp, e.buf(16), bad, 0)
	e.fails(unix.EFAULT, unix.SYS_IOCTL, tcp, unix.SIOCGIFINDEX, bad)
	e.fails(unix.EFAULT, unix.SYS_IOCTL, tcp, unix.SIOCINQ, bad)

	// A datagram read into a bad buffer.
	e.must(unix.SYS_SENDTO, udp, e.mem([]byte("x")), 1, 0, sa, n)
	e.waitEvents(udp, unix.EPOLLIN)
	e.fails(unix.EFAULT, unix.SYS_READ, udp, bad, 10)

	// An iovec pointing outside memory.
	iov := e.mem(binary.LittleEndian.AppendUint64(binary.LittleEndian.AppendUint64(nil, bad), 10))
	e.fails(unix.EFAULT, unix.SYS_WRITEV, udp, iov, 1)
	e.close(tcp)
	e.close(udp)
}

// TestBadAddresses: lengths and families are checked before netstack
// sees an address.
func TestBadAddresses(t *testing.T) {
	e := newEnv(t)
	v4 := e.must(unix.SYS_SOCKET, unix.AF_INET, unix.SOCK_STREAM|nbcx, 0)
	v6 := e.must(unix.SYS_SOCKET, unix.AF_INET6, unix.SOCK_STREAM|nbcx, 0)
	sa4, n4 := e.sockaddr(netip.AddrPortFrom(addrA, 0), unix.AF_INET)
	sa6, n6 := e.sockaddr(netip.AddrPortFrom(addrA6, 0), unix.AF_INET6)

	e.fails(unix.EINVAL, unix.SYS_BIND, v4, sa4, 8)
	e.fails(unix.EINVAL, unix.SYS_BIND, v4, sa4, 200)
	e.fails(unix.EINVAL, unix.SYS_BIND, v4, sa4, uint64(0xffffffff)) // -1
	e.fails(unix.EINVAL, unix.SYS_BIND, v6, sa6, 20)
	e.fails(unix.EAFNOSUPPORT, unix.SYS_BIND, v4, sa6, n6)
	// Too short for the socket's family comes first, as in Linux.
	e.fails(unix.EINVAL, unix.SYS_BIND, v6, sa4, n4)
	e.fails(unix.EINVAL, unix.SYS_CONNECT, v6, sa4, n4)
	long4 := e.mem(append(e.k.Bytes(sa4, 16), make([]byte, 12)...))
	e.fails(unix.EAFNOSUPPORT, unix.SYS_CONNECT, v6, long4, 28)
	unknown := e.mem([]byte{99, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	e.fails(unix.EAFNOSUPPORT, unix.SYS_BIND, v4, unknown, 16)
	e.fails(unix.EINVAL, unix.SYS_GETSOCKNAME, v4, e.buf(16), e.int32p(-1))
	e.fails(unix.EINVAL, unix.SYS_SETSOCKOPT, v4, unix.SOL_SOCKET, unix.SO_REUSEADDR, e.int32p(1), uint64(0xffffffff))
	e.fails(unix.EINVAL, unix.SYS_SETSOCKOPT, v4, unix.SOL_SOCKET, unix.SO_REUSEADDR, e.int32p(1), 2)
	e.fails(unix.EINVAL, unix.SYS_WRITEV, v4, e.buf(16), maxIovecs+1)
	e.fails(unix.EADDRNOTAVAIL, unix.SYS_BIND, v4, e.must4(netip.MustParseAddr("192.0.2.1")), n4)

	// A short buffer gets a truncated address and the full length.
	e.must(unix.SYS_BIND, v6, sa6, n6)
	out, ln := e.buf(8), e.int32p(8)
	e.must(unix.SYS_GETSOCKNAME, v6, out, ln)
	if got := e.u32(ln); got != sizeofSockaddrInet6 {
		t.Fatalf("length %d", got)
	}
	if fam := binary.LittleEndian.Uint16(e.k.Bytes(out, 2)); fam != unix.AF_INET6 {
		t.Fatalf("family %d", fam)
	}
	e.close(v4)
	e.close(v6)
}

func (e *env) must4(a netip.Addr) uint64 {
	sa, _ := e.sockaddr(netip.AddrPortFrom(a, 0), unix.AF_INET)
	return sa
}

// TestSocketArgs: the kernel checks socket's arguments; the layer, which
// makes the endpoint on the first call, agrees with it.
func TestSocketArgs(t *testing.T) {
	e := newEnv(t)
	for _, c := range []struct {
		domain, typ, proto int
		want               unix.Errno
	}{
		{unix.AF_UNIX, unix.SOCK_RAW, 0, unix.ESOCKTNOSUPPORT},
		{unix.AF_UNIX, unix.SOCK_STREAM, unix.IPPROTO_TCP, unix.EPROTONOSUPPORT},
		{unix.AF_PACKET, unix.SOCK_RAW, 0, unix.EAFNOSUPPORT},
		{unix.AF_INET, unix.SOCK_STREAM, unix.IPPROTO_MPTCP, unix.EPROTONOSUPPORT},
		{unix.AF_INET, unix.SOCK_STREAM, unix.IPPROTO_UDP, unix.EPROTONOSUPPORT},
		{unix.AF_INET, unix.SOCK_RAW, 0, unix.EPROTONOSUPPORT},
		{unix.AF_INET, unix.SOCK_SEQPACKET, 0, unix.ESOCKTNOSUPPORT},
		{unix.AF_INET6, unix.SOCK_DGRAM, unix.IPPROTO_ICMP, unix.EPROTONOSUPPORT},
		{unix.AF_NETLINK, unix.SOCK_STREAM, 0, unix.ESOCKTNOSUPPORT},
		{unix.AF_NETLINK, unix.SOCK_RAW, unix.NETLINK_AUDIT, unix.EPROTONOSUPPORT},
	} {
		e.fails(c.want, unix.SYS_SOCKET, uint64(c.domain), uint64(c.typ), uint64(c.proto))
		if s, errno := e.l.newSocket(c.domain, c.typ, c.proto); errno != c.want {
			t.Errorf("layer makes socket(%d, %d, %d): %v, want %v", c.domain, c.typ, c.proto, errno, c.want)
			if s != nil {
				e.l.close(s)
			}
		}
	}
	for _, c := range [][3]int{
		{unix.AF_INET, unix.SOCK_DGRAM, unix.IPPROTO_ICMP},
		{unix.AF_INET6, unix.SOCK_DGRAM, unix.IPPROTO_ICMPV6},
		{unix.AF_INET, unix.SOCK_RAW, unix.IPPROTO_ICMP},
		{unix.AF_INET6, unix.SOCK_RAW, unix.IPPROTO_RAW},
		{unix.AF_INET6, unix.SOCK_DGRAM, unix.IPPROTO_UDP},
		{unix.AF_UNIX, unix.SOCK_SEQPACKET, 0},
		{unix.AF_NETLINK, unix.SOCK_DGRAM, unix.NETLINK_ROUTE},
	} {
		fd := e.must(unix.SYS_SOCKET, uint64(c[0]), uint64(c[1]), uint64(c[2]))
		if got := e.getInt(fd, unix.SOL_SOCKET, unix.SO_PROTOCOL); got != int32(c[2]) {
			t.Errorf("SO_PROTOCOL %d, want %d", got, c[2])
		}
		e.close(fd)
	}
	e.fails(unix.EOPNOTSUPP, unix.SYS_SOCKETPAIR, unix.AF_INET, unix.SOCK_STREAM, 0, e.buf(8))
	if n := e.l.Sockets(); n != 0 {
		t.Fatalf("%d sockets left", n)
	}
}

// TestInlineWrite: a small write's bytes come from the request, copied
// when the kernel forwarded the call, on a TCP and a unix stream socket;
// a buffer the kernel could not copy whole still fails with EFAULT.
func TestInlineWrite(t *testing.T) {
	e := newEnv(t)
	tcpA, tcpB := e.pair()
	unixA, unixB := e.socketpair(unix.SOCK_STREAM | nbcx)
	for _, p := range [][2]uint64{{tcpA, tcpB}, {unixA, unixB}} {
		for _, nr := range []uint64{unix.SYS_WRITE, unix.SYS_SENDTO} {
			buf := e.mem([]byte("inline"))
			r := e.k.Request(nr, p[0], buf, 6)
			e.k.Put(buf, []byte("memory")) // changed after the kernel copied it
			if n, errno := e.l.Handle(&r); n != 6 || errno != 0 {
				t.Fatalf("%s: %d, %v", callName(nr), n, errno)
			}
			e.k.Done(r.ID)
			e.waitEvents(p[1], unix.EPOLLIN)
			e.expectRead(p[1], 16, "inline")
		}
	}
	end := FakeBase + uint64(len(e.k.Memory().B))
	r := e.k.Request(unix.SYS_WRITE, tcpA, end-3, 6)
	defer e.k.Done(r.ID)
	if _, errno := e.l.Handle(&r); r.InlineLen != 0 || errno != unix.EFAULT {
		t.Fatalf("a buffer running off the end of memory: %d bytes copied, %v", r.InlineLen, errno)
	}
}
