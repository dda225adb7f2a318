package sockets

import (
	"encoding/binary"
	"net/netip"
	"slices"
	stdsyscall "syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// netlinkRIB replays syscall.NetlinkRIB: socket, bind, sendto, getsockname,
// then page-sized recvfroms until NLMSG_DONE, checking sequence and port
// id as it does.
func (e *env) netlinkRIB(proto, family int) []stdsyscall.NetlinkMessage {
	e.t.Helper()
	fd := e.must(unix.SYS_SOCKET, unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_ROUTE)
	defer e.close(fd)
	sa := e.mem(encodeNetlink(0, 0))
	e.must(unix.SYS_BIND, fd, sa, sizeofSockaddrNL)
	req := newNlMsg(uint16(proto), unix.NLM_F_DUMP|unix.NLM_F_REQUEST, 1, 0).put(byte(family), 0, 0, 0).done()
	e.must(unix.SYS_SENDTO, fd, e.mem(req), uint64(len(req)), 0, sa, sizeofSockaddrNL)
	name, nlen := e.buf(maxAddrLen), e.int32p(maxAddrLen)
	e.must(unix.SYS_GETSOCKNAME, fd, name, nlen)
	pid := binary.LittleEndian.Uint32(e.k.Bytes(name+4, 4))
	if pid == 0 {
		e.t.Fatal("netlink socket has port id 0")
	}
	var all []stdsyscall.NetlinkMessage
	page := e.buf(4096)
	for {
		// Blocking, as Go's: the replies are already queued.
		n := e.must(unix.SYS_RECVFROM, fd, page, 4096, 0, 0, 0)
		msgs, err := stdsyscall.ParseNetlinkMessage(e.k.Bytes(page, int(n)))
		if err != nil {
			e.t.Fatalf("parse: %v", err)
		}
		for _, m := range msgs {
			if m.Header.Seq != 1 || m.Header.Pid != pid {
				e.t.Fatalf("message seq %d pid %d, want 1 and %d", m.Header.Seq, m.Header.Pid, pid)
			}
			if m.Header.Type == unix.NLMSG_DONE {
				return all
			}
			if m.Header.Type == unix.NLMSG_ERROR {
				e.t.Fatalf("NLMSG_ERROR")
			}
			all = append(all, m)
		}
	}
}

// TestNetlinkInterfaces decodes the dumps as net.Interfaces and
// net.InterfaceAddrs do.
func TestNetlinkInterfaces(t *testing.T) {
	e := newEnv(t)
	type link struct {
		name  string
		mtu   uint32
		mac   []byte
		flags uint32
	}
	links := map[int32]link{}
	for _, m := range e.netlinkRIB(unix.RTM_GETLINK, unix.AF_UNSPEC) {
		if m.Header.Type != unix.RTM_NEWLINK {
			t.Fatalf("type %d", m.Header.Type)
		}
		ifim := m.Data[:sizeofIfInfo]
		attrs, err := stdsyscall.ParseNetlinkRouteAttr(&m)
		if err != nil {
			t.Fatal(err)
		}
		var l link
		l.flags = binary.LittleEndian.Uint32(ifim[8:])
		for _, a := range attrs {
			switch a.Attr.Type {
			case unix.IFLA_IFNAME:
				l.name = string(a.Value[:len(a.Value)-1])
			case unix.IFLA_MTU:
				l.mtu = binary.LittleEndian.Uint32(a.Value)
			case unix.IFLA_ADDRESS:
				l.mac = a.Value
			}
		}
		links[int32(binary.LittleEndian.Uint32(ifim[4:]))] = l
	}
	if l := links[1]; l.name != "lo" || l.flags&unix.IFF_LOOPBACK == 0 || l.flags&unix.IFF_UP == 0 {
		t.Errorf("link 1: %+v", l)
	}
	if l := links[2]; l.name != "eth0" || l.mtu != 1500 || len(l.mac) != 6 || l.flags&unix.IFF_BROADCAST == 0 {
		t.Errorf("link 2: %+v", l)
	}

	var addrs []string
	for _, m := range e.netlinkRIB(unix.RTM_GETADDR, unix.AF_UNSPEC) {
		ifam := m.Data[:sizeofIfAddr]
		attrs, err := stdsyscall.ParseNetlinkRouteAttr(&m)
		if err != nil {
			t.Fatal(err)
		}
		// net's newAddr: IFA_LOCAL wins over IFA_ADDRESS.
		var ip []byte
		for _, a := range attrs {
			if a.Attr.Type == unix.IFA_LOCAL || a.Attr.Type == unix.IFA_ADDRESS && ip == nil {
				ip = a.Value
			}
		}
		a, _ := netip.AddrFromSlice(ip)
		addrs = append(addrs, netip.PrefixFrom(a, int(ifam[1])).String()+"@"+string('0'+rune(ifam[4])))
	}
	for _, want := range []string{"127.0.0.1/8@1", "::1/128@1", "10.0.0.1/24@2", "fd00::1/64@2"} {
		if !slices.Contains(addrs, want) {
			t.Errorf("addresses %v lack %s", addrs, want)
		}
	}
	// IPv4 first, as Linux dumps them.
	if i, j := slices.Index(addrs, "10.0.0.1/24@2"), slices.Index(addrs, "::1/128@1"); i > j {
		t.Errorf("addresses %v: IPv6 before IPv4", addrs)
	}

	var routes []string
	for _, m := range e.netlinkRIB(unix.RTM_GETROUTE, unix.AF_INET) {
		rtm := m.Data[:sizeofRtMsg]
		attrs, _ := stdsyscall.ParseNetlinkRouteAttr(&m)
		dst := netip.IPv4Unspecified()
		for _, a := range attrs {
			if a.Attr.Type == unix.RTA_DST {
				dst, _ = netip.AddrFromSlice(a.Value)
			}
		}
		routes = append(routes, netip.PrefixFrom(dst, int(rtm[1])).String())
	}
	if !slices.Contains(routes, "10.0.0.0/24") || slices.ContainsFunc(routes, func(r string) bool { return r[0] == 'f' }) {
		t.Errorf("IPv4 routes %v", routes)
	}
}

// TestNetlinkErrors: an unknown request gets NLMSG_ERROR, a non-blocking
// read of an empty socket EAGAIN, and a non-kernel destination fails.
func TestNetlinkErrors(t *testing.T) {
	e := newEnv(t)
	fd := e.must(unix.SYS_SOCKET, unix.AF_NETLINK, unix.SOCK_DGRAM|nbcx, unix.NETLINK_ROUTE)
	page := e.buf(4096)
	e.fails(unix.EAGAIN, unix.SYS_READ, fd, page, 4096)
	req := newNlMsg(unix.RTM_NEWLINK, unix.NLM_F_REQUEST, 7, 0).put(make([]byte, 16)...).done()
	e.write(fd, req)
	e.waitEvents(fd, unix.EPOLLIN)
	n := e.must(unix.SYS_READ, fd, page, 4096)
	msgs, err := stdsyscall.ParseNetlinkMessage(e.k.Bytes(page, int(n)))
	if err != nil || len(msgs) != 1 || msgs[0].Header.Type != unix.NLMSG_ERROR || msgs[0].Header.Seq != 7 {
		t.Fatalf("reply %+v, %v", msgs, err)
	}
	if code := int32(binary.LittleEndian.Uint32(msgs[0].Data)); code != -int32(unix.EOPNOTSUPP) {
		t.Fatalf("error %d", code)
	}
	to := e.mem(encodeNetlink(99, 0))
	e.fails(unix.ECONNREFUSED, unix.SYS_SENDTO, fd, e.mem(req), uint64(len(req)), 0, to, sizeofSockaddrNL)
	// A 16-byte buffer truncates a reply.
	get := newNlMsg(unix.RTM_GETLINK, unix.NLM_F_REQUEST, 8, 0).put(make([]byte, 16)...).done()
	binary.LittleEndian.PutUint32(get[nlmsgHdrLen+4:], 1)
	e.write(fd, get)
	m, _ := e.msghdr(16)
	if got := e.must(unix.SYS_RECVMSG, fd, m, unix.MSG_TRUNC); got <= 16 {
		t.Fatalf("truncated reply length %d", got)
	}
	e.close(fd)
}
