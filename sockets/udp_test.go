package sockets

import (
	"bytes"
	"encoding/binary"
	stdnet "net"
	"net/netip"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestUDP: sendto and recvfrom against a UDP socket on B, with the
// sender's address.
func TestUDP(t *testing.T) {
	e := newEnv(t)
	peer, err := e.b.ListenUDP(netip.AddrPortFrom(netip.Addr{}, 5353))
	if err != nil {
		t.Fatal(err)
	}
	defer peer.Close()

	fd := e.must(unix.SYS_SOCKET, unix.AF_INET, unix.SOCK_DGRAM|nbcx, 0)
	e.setInt(fd, unix.SOL_SOCKET, unix.SO_BROADCAST, 1)
	if ev := e.waitEvents(fd, unix.EPOLLOUT); ev&unix.EPOLLIN != 0 {
		t.Fatalf("new UDP socket readable: %#x", ev)
	}
	sa, n := e.sockaddr(netip.AddrPortFrom(addrB, 5353), unix.AF_INET)
	msg := []byte("query")
	if got := e.must(unix.SYS_SENDTO, fd, e.mem(msg), uint64(len(msg)), 0, sa, n); got != uint64(len(msg)) {
		t.Fatalf("sendto %d", got)
	}
	buf := make([]byte, 100)
	peer.SetReadDeadline(time.Now().Add(10 * time.Second))
	m, fromAddr, err := peer.ReadFrom(buf)
	if err != nil || string(buf[:m]) != "query" {
		t.Fatalf("peer read %q, %v", buf[:m], err)
	}
	if from := fromAddr.(*stdnet.UDPAddr).AddrPort(); from.Addr().Unmap() != addrA {
		t.Fatalf("peer saw %v", from)
	}
	fb, flen := e.buf(maxAddrLen), e.int32p(maxAddrLen)
	data := e.buf(100)
	e.fails(unix.EAGAIN, unix.SYS_RECVFROM, fd, data, 100, 0, fb, flen)
	if _, err := peer.WriteTo([]byte("answer"), fromAddr); err != nil {
		t.Fatal(err)
	}
	e.waitEvents(fd, unix.EPOLLIN)
	got := e.must(unix.SYS_RECVFROM, fd, data, 100, 0, fb, flen)
	if string(e.k.Bytes(data, int(got))) != "answer" {
		t.Fatalf("recvfrom %q", e.k.Bytes(data, int(got)))
	}
	if a := parseSockaddr(e.k.Bytes(fb, int(e.u32(flen)))); a != netip.AddrPortFrom(addrB, 5353) {
		t.Fatalf("from %v", a)
	}

	// A connected socket, as Go's resolver uses: write and read.
	e.must(unix.SYS_CONNECT, fd, sa, n)
	if got := e.name(unix.SYS_GETPEERNAME, fd); got != netip.AddrPortFrom(addrB, 5353) {
		t.Fatalf("peer %v", got)
	}
	e.write(fd, []byte("again"))
	m, _, err = peer.ReadFrom(buf)
	if err != nil || string(buf[:m]) != "again" {
		t.Fatalf("peer read %q, %v", buf[:m], err)
	}
	// A datagram larger than any UDP payload.
	e.fails(unix.EMSGSIZE, unix.SYS_WRITE, fd, e.buf(70000), 70000)
	e.close(fd)
}

// msghdr builds a struct msghdr with a name buffer and the given iovec
// lengths in user memory; it returns its address and the iovecs.
func (e *env) msghdr(lens ...int) (uint64, []iovec) {
	iov := make([]iovec, len(lens))
	var raw []byte
	for i, n := range lens {
		iov[i] = iovec{e.buf(n), uint64(n)}
		raw = binary.LittleEndian.AppendUint64(raw, iov[i].base)
		raw = binary.LittleEndian.AppendUint64(raw, iov[i].len)
	}
	m := make([]byte, sizeofMsghdr)
	le := binary.LittleEndian
	le.PutUint64(m[0:], e.buf(maxAddrLen))
	le.PutUint32(m[8:], maxAddrLen)
	le.PutUint64(m[16:], e.mem(raw))
	le.PutUint64(m[24:], uint64(len(lens)))
	le.PutUint64(m[32:], e.buf(64))
	le.PutUint64(m[40:], 64)
	return e.mem(m), iov
}

// TestRecvmsg: iovecs, MSG_PEEK and MSG_TRUNC on a datagram larger than
// the buffers, and sendmsg with a destination.
func TestRecvmsg(t *testing.T) {
	e := newEnv(t)
	rx := e.must(unix.SYS_SOCKET, unix.AF_INET6, unix.SOCK_DGRAM|nbcx, 0)
	sa, n := e.sockaddr(netip.AddrPortFrom(netip.IPv6Unspecified(), 6000), unix.AF_INET6)
	e.must(unix.SYS_BIND, rx, sa, n)
	tx := e.must(unix.SYS_SOCKET, unix.AF_INET6, unix.SOCK_DGRAM|nbcx, 0)

	payload := bytes.Repeat([]byte("0123456789"), 10)
	out, oiov := e.msghdr(40, 60)
	e.k.Put(oiov[0].base, payload[:40])
	e.k.Put(oiov[1].base, payload[40:])
	dst, dlen := e.sockaddr(netip.AddrPortFrom(netip.IPv6Loopback(), 6000), unix.AF_INET6)
	e.k.Put(out, binary.LittleEndian.AppendUint64(nil, dst))
	e.k.Put(out+8, binary.LittleEndian.AppendUint32(nil, uint32(dlen)))
	if got := e.must(unix.SYS_SENDMSG, tx, out, 0); got != 100 {
		t.Fatalf("sendmsg %d", got)
	}
	e.waitEvents(rx, unix.EPOLLIN)

	check := func(flags int, wantRet uint64) {
		t.Helper()
		m, iov := e.msghdr(10, 20)
		got := e.must(unix.SYS_RECVMSG, rx, m, uint64(flags))
		if got != wantRet {
			t.Fatalf("recvmsg(%#x) = %d, want %d", flags, got, wantRet)
		}
		if b := append(e.k.Bytes(iov[0].base, 10), e.k.Bytes(iov[1].base, 20)...); !bytes.Equal(b, payload[:30]) {
			t.Fatalf("iovecs hold %q", b)
		}
		if f := int32(e.u32(m + msgFlagsOff)); f&unix.MSG_TRUNC == 0 {
			t.Fatalf("msg_flags %#x without MSG_TRUNC", f)
		}
		if c := e.k.Bytes(m+msgControllenOff, 8); binary.LittleEndian.Uint64(c) != 0 {
			t.Fatalf("msg_controllen %d", binary.LittleEndian.Uint64(c))
		}
		name := binary.LittleEndian.Uint64(e.k.Bytes(m, 8))
		nl := e.u32(m + msgNamelenOff)
		from := parseSockaddr(e.k.Bytes(name, int(nl)))
		if nl != sizeofSockaddrInet6 || from.Addr() != netip.IPv6Loopback() {
			t.Fatalf("from %v (%d bytes)", from, nl)
		}
	}
	check(unix.MSG_PEEK, 30)
	check(unix.MSG_PEEK|unix.MSG_TRUNC, 100)
	check(unix.MSG_TRUNC, 100)
	m, _ := e.msghdr(10)
	e.fails(unix.EAGAIN, unix.SYS_RECVMSG, rx, m, 0)

	// MSG_DONTWAIT on a blocking socket.
	e.k.SetNonblock(int(rx), false)
	e.fails(unix.EAGAIN, unix.SYS_RECVMSG, rx, m, unix.MSG_DONTWAIT)
	e.close(tx)
	e.close(rx)
}

// TestStreamPeekTrunc: MSG_PEEK and MSG_TRUNC on a TCP socket, readv
// and writev.
func TestStreamPeekTrunc(t *testing.T) {
	e := newEnv(t)
	c, s := e.pair()
	e.write(c, []byte("abcdefghij"))
	e.waitEvents(s, unix.EPOLLIN)
	buf := e.buf(4)
	if got := e.must(unix.SYS_RECVFROM, s, buf, 4, unix.MSG_PEEK, 0, 0); got != 4 || string(e.k.Bytes(buf, 4)) != "abcd" {
		t.Fatalf("peek %d %q", got, e.k.Bytes(buf, 4))
	}
	if got := e.must(unix.SYS_RECVFROM, s, 0, 3, unix.MSG_TRUNC, 0, 0); got != 3 {
		t.Fatalf("discarded %d", got)
	}
	var n int32
	e.must(unix.SYS_IOCTL, s, unix.SIOCINQ, e.int32p(0))
	fionread := e.int32p(0)
	e.must(unix.SYS_IOCTL, s, unix.SIOCINQ, fionread)
	if n = int32(e.u32(fionread)); n != 7 {
		t.Fatalf("FIONREAD %d", n)
	}
	m, iov := e.msghdr(2, 10)
	got := e.must(unix.SYS_READV, s, binary.LittleEndian.Uint64(e.k.Bytes(m+16, 8)), 2)
	if got != 7 || string(e.k.Bytes(iov[0].base, 2))+string(e.k.Bytes(iov[1].base, 5)) != "defghij" {
		t.Fatalf("readv %d", got)
	}
	// writev gathers.
	m, iov = e.msghdr(3, 4)
	e.k.Put(iov[0].base, []byte("xyz"))
	e.k.Put(iov[1].base, []byte("1234"))
	e.must(unix.SYS_WRITEV, c, binary.LittleEndian.Uint64(e.k.Bytes(m+16, 8)), 2)
	e.waitEvents(s, unix.EPOLLIN)
	if got, _ := e.read(s, 20); string(got) != "xyz1234" {
		t.Fatalf("read %q", got)
	}
	e.close(c)
	e.close(s)
}

// pair connects two sockets of the layer over loopback.
func (e *env) pair() (client, server uint64) {
	e.t.Helper()
	ln := e.must(unix.SYS_SOCKET, unix.AF_INET, unix.SOCK_STREAM|nbcx, 0)
	sa, n := e.sockaddr(netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), 0), unix.AF_INET)
	e.must(unix.SYS_BIND, ln, sa, n)
	e.must(unix.SYS_LISTEN, ln, 8)
	local := e.name(unix.SYS_GETSOCKNAME, ln)
	client = e.must(unix.SYS_SOCKET, unix.AF_INET, unix.SOCK_STREAM|nbcx, 0)
	sa, n = e.sockaddr(local, unix.AF_INET)
	e.fails(unix.EINPROGRESS, unix.SYS_CONNECT, client, sa, n)
	e.waitEvents(ln, unix.EPOLLIN)
	server = e.must(unix.SYS_ACCEPT4, ln, 0, 0, nbcx)
	e.waitEvents(client, unix.EPOLLOUT)
	e.close(ln)
	return client, server
}
