package sockets

import (
	"encoding/binary"
	"testing"

	"golang.org/x/sys/unix"
)

func TestSockopts(t *testing.T) {
	e := newEnv(t)
	tcp := e.must(unix.SYS_SOCKET, unix.AF_INET6, unix.SOCK_STREAM|nbcx, 0)
	udp := e.must(unix.SYS_SOCKET, unix.AF_INET, unix.SOCK_DGRAM|nbcx, 0)

	for _, c := range []struct {
		fd          uint64
		level, name int
		set, want   int32
	}{
		{tcp, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1, 1},
		{tcp, unix.SOL_SOCKET, unix.SO_REUSEPORT, 1, 1},
		{tcp, unix.IPPROTO_TCP, unix.TCP_NODELAY, 0, 0},
		{tcp, unix.IPPROTO_TCP, unix.TCP_USER_TIMEOUT, 5000, 5000},
		{tcp, unix.IPPROTO_IPV6, unix.IPV6_V6ONLY, 1, 1},
		{tcp, unix.IPPROTO_IPV6, unix.IPV6_TCLASS, 8, 8},
		{udp, unix.SOL_SOCKET, unix.SO_BROADCAST, 1, 1},
		{udp, unix.IPPROTO_IP, unix.IP_TOS, 0x10, 0x10},
		{udp, unix.IPPROTO_IP, unix.IP_MULTICAST_TTL, 4, 4},
	} {
		e.setInt(c.fd, c.level, c.name, c.set)
		if got := e.getInt(c.fd, c.level, c.name); got != c.want {
			t.Errorf("option %d/%d = %d, want %d", c.level, c.name, got, c.want)
		}
	}
	// Defaults read as Linux's.
	if got := e.getInt(udp, unix.IPPROTO_IP, unix.IP_TTL); got != 64 {
		t.Errorf("IP_TTL %d", got)
	}
	if got := e.getInt(tcp, unix.IPPROTO_IPV6, unix.IPV6_UNICAST_HOPS); got != 64 {
		t.Errorf("IPV6_UNICAST_HOPS %d", got)
	}
	if got := e.getInt(udp, unix.SOL_SOCKET, unix.SO_RCVBUF); got <= 0 {
		t.Errorf("SO_RCVBUF %d", got)
	}
	e.setInt(udp, unix.SOL_SOCKET, unix.SO_RCVBUF, 1<<16)

	// Options that are not there, or not for this socket.
	for _, c := range []struct {
		fd          uint64
		level, name int
	}{
		{udp, unix.IPPROTO_TCP, unix.TCP_NODELAY},
		{udp, unix.IPPROTO_IPV6, unix.IPV6_V6ONLY},
		{tcp, unix.SOL_SOCKET, unix.SO_TYPE},
		{tcp, unix.SOL_SOCKET, unix.SO_ERROR},
		{tcp, unix.SOL_SOCKET, 999},
		{tcp, 999, 1},
	} {
		e.fails(unix.ENOPROTOOPT, unix.SYS_SETSOCKOPT, c.fd, uint64(c.level), uint64(c.name), e.int32p(1), 4)
	}
	e.fails(unix.EINVAL, unix.SYS_SETSOCKOPT, tcp, unix.IPPROTO_TCP, unix.TCP_KEEPIDLE, e.int32p(0), 4)
	e.fails(unix.EINVAL, unix.SYS_SETSOCKOPT, tcp, unix.IPPROTO_TCP, unix.TCP_KEEPCNT, e.int32p(1000), 4)

	// SOL_IP takes a single byte; a short read returns a short value.
	e.must(unix.SYS_SETSOCKOPT, udp, unix.IPPROTO_IP, unix.IP_TOS, e.mem([]byte{0x20}), 1)
	v, n := e.buf(4), e.int32p(1)
	e.must(unix.SYS_GETSOCKOPT, udp, unix.IPPROTO_IP, unix.IP_TOS, v, n)
	if e.u32(n) != 1 || e.k.Bytes(v, 1)[0] != 0x20 {
		t.Errorf("IP_TOS short read: %d bytes, %#x", e.u32(n), e.k.Bytes(v, 1)[0])
	}

	// struct linger and struct timeval.
	lg := e.mem([]byte{1, 0, 0, 0, 7, 0, 0, 0})
	e.must(unix.SYS_SETSOCKOPT, tcp, unix.SOL_SOCKET, unix.SO_LINGER, lg, 8)
	out, ln := e.buf(8), e.int32p(8)
	e.must(unix.SYS_GETSOCKOPT, tcp, unix.SOL_SOCKET, unix.SO_LINGER, out, ln)
	if got := e.k.Bytes(out, 8); got[0] != 1 || got[4] != 7 {
		t.Errorf("SO_LINGER %v", got)
	}
	tv := make([]byte, 16)
	binary.LittleEndian.PutUint64(tv, 2)
	binary.LittleEndian.PutUint64(tv[8:], 500000)
	e.must(unix.SYS_SETSOCKOPT, tcp, unix.SOL_SOCKET, unix.SO_SNDTIMEO, e.mem(tv), 16)
	out, ln = e.buf(16), e.int32p(16)
	e.must(unix.SYS_GETSOCKOPT, tcp, unix.SOL_SOCKET, unix.SO_SNDTIMEO, out, ln)
	if got := e.k.Bytes(out, 16); binary.LittleEndian.Uint64(got) != 2 || binary.LittleEndian.Uint64(got[8:]) != 500000 {
		t.Errorf("SO_SNDTIMEO %v", got)
	}
	binary.LittleEndian.PutUint64(tv[8:], 2000000)
	e.fails(unix.EDOM, unix.SYS_SETSOCKOPT, tcp, unix.SOL_SOCKET, unix.SO_SNDTIMEO, e.mem(tv), 16)

	// SO_BINDTODEVICE by name.
	e.must(unix.SYS_SETSOCKOPT, udp, unix.SOL_SOCKET, unix.SO_BINDTODEVICE, e.mem([]byte("eth0\x00")), 5)
	out, ln = e.buf(16), e.int32p(16)
	e.must(unix.SYS_GETSOCKOPT, udp, unix.SOL_SOCKET, unix.SO_BINDTODEVICE, out, ln)
	if got := cString(e.k.Bytes(out, int(e.u32(ln)))); got != "eth0" {
		t.Errorf("SO_BINDTODEVICE %q", got)
	}
	e.fails(unix.ENODEV, unix.SYS_SETSOCKOPT, udp, unix.SOL_SOCKET, unix.SO_BINDTODEVICE, e.mem([]byte("nope")), 4)

	// Multicast membership with struct ip_mreqn.
	mreq := []byte{224, 0, 0, 251, 0, 0, 0, 0, 2, 0, 0, 0}
	e.must(unix.SYS_SETSOCKOPT, udp, unix.IPPROTO_IP, unix.IP_ADD_MEMBERSHIP, e.mem(mreq), 12)
	e.must(unix.SYS_SETSOCKOPT, udp, unix.IPPROTO_IP, unix.IP_DROP_MEMBERSHIP, e.mem(mreq), 12)

	// Netlink sockets keep buffer sizes and accept SOL_NETLINK flags.
	nl := e.must(unix.SYS_SOCKET, unix.AF_NETLINK, unix.SOCK_RAW, unix.NETLINK_ROUTE)
	e.setInt(nl, unix.SOL_SOCKET, unix.SO_RCVBUF, 1<<15)
	if got := e.getInt(nl, unix.SOL_SOCKET, unix.SO_RCVBUF); got != 1<<15 {
		t.Errorf("netlink SO_RCVBUF %d", got)
	}
	e.setInt(nl, unix.SOL_NETLINK, unix.NETLINK_EXT_ACK, 1)
	if got := e.getInt(nl, unix.SOL_SOCKET, unix.SO_DOMAIN); got != unix.AF_NETLINK {
		t.Errorf("netlink SO_DOMAIN %d", got)
	}
	for _, fd := range []uint64{tcp, udp, nl} {
		e.close(fd)
	}
}

func TestIoctl(t *testing.T) {
	e := newEnv(t)
	fd := e.must(unix.SYS_SOCKET, unix.AF_INET, unix.SOCK_DGRAM|nbcx, 0)
	ifreq := func(name string, index int32) uint64 {
		b := make([]byte, sizeofIfreq)
		copy(b, name)
		binary.LittleEndian.PutUint32(b[16:], uint32(index))
		return e.mem(b)
	}
	r := ifreq("eth0", 0)
	e.must(unix.SYS_IOCTL, fd, unix.SIOCGIFINDEX, r)
	if got := e.u32(r + 16); got != 2 {
		t.Errorf("SIOCGIFINDEX eth0 = %d", got)
	}
	r = ifreq("", 1)
	e.must(unix.SYS_IOCTL, fd, unix.SIOCGIFNAME, r)
	if got := cString(e.k.Bytes(r, 16)); got != "lo" {
		t.Errorf("SIOCGIFNAME 1 = %q", got)
	}
	r = ifreq("lo", 0)
	e.must(unix.SYS_IOCTL, fd, unix.SIOCGIFFLAGS, r)
	if got := binary.LittleEndian.Uint16(e.k.Bytes(r+16, 2)); got&unix.IFF_LOOPBACK == 0 || got&unix.IFF_UP == 0 {
		t.Errorf("SIOCGIFFLAGS lo = %#x", got)
	}
	r = ifreq("eth0", 0)
	e.must(unix.SYS_IOCTL, fd, unix.SIOCGIFMTU, r)
	if got := e.u32(r + 16); got != 1500 {
		t.Errorf("SIOCGIFMTU %d", got)
	}
	e.must(unix.SYS_IOCTL, fd, unix.SIOCGIFHWADDR, r)
	if got := e.k.Bytes(r+16, 8); binary.LittleEndian.Uint16(got) != arphrdEther {
		t.Errorf("SIOCGIFHWADDR %v", got)
	}
	e.must(unix.SYS_IOCTL, fd, unix.SIOCGIFADDR, r)
	if got := parseSockaddr(e.k.Bytes(r+16, 16)); got.Addr() != addrA {
		t.Errorf("SIOCGIFADDR %v", got)
	}
	e.must(unix.SYS_IOCTL, fd, unix.SIOCGIFNETMASK, r)
	if got := parseSockaddr(e.k.Bytes(r+16, 16)); got.Addr().String() != "255.255.255.0" {
		t.Errorf("SIOCGIFNETMASK %v", got)
	}
	e.fails(unix.ENODEV, unix.SYS_IOCTL, fd, unix.SIOCGIFINDEX, ifreq("eth9", 0))
	e.fails(unix.ENOTTY, unix.SYS_IOCTL, fd, unix.TCGETS, e.buf(64))

	// SIOCGIFCONF: the size, then the entries.
	conf := e.mem(make([]byte, 16))
	e.must(unix.SYS_IOCTL, fd, unix.SIOCGIFCONF, conf)
	if got := e.u32(conf); got != 2*sizeofIfreq {
		t.Fatalf("SIOCGIFCONF size %d", got)
	}
	buf := e.buf(2 * sizeofIfreq)
	c := make([]byte, 16) // struct ifconf
	binary.LittleEndian.PutUint32(c, 2*sizeofIfreq)
	binary.LittleEndian.PutUint64(c[8:], buf)
	conf = e.mem(c)
	e.must(unix.SYS_IOCTL, fd, unix.SIOCGIFCONF, conf)
	if got := cString(e.k.Bytes(buf+sizeofIfreq, 16)); got != "eth0" {
		t.Errorf("SIOCGIFCONF second entry %q", got)
	}
	if got := parseSockaddr(e.k.Bytes(buf+sizeofIfreq+16, 16)); got.Addr() != addrA {
		t.Errorf("SIOCGIFCONF second address %v", got)
	}
	e.close(fd)
}
