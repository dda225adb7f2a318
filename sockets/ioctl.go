package sockets

import (
	"encoding/binary"

	"golang.org/x/sys/unix"
	"gvisor.dev/gvisor/pkg/tcpip"
)

// ioctl(fd, cmd, arg) on a socket: queue sizes, and interface queries
// (SIOCGIF*), which any socket answers. FIONBIO and FIOCLEX change the
// descriptor, which is the kernel's.
func sysIoctl(l *Layer, r *call) (uint64, unix.Errno) {
	s, e := l.sock(r)
	if e != 0 {
		return 0, e
	}
	c, arg := l.caller(r), r.Args[2]
	switch cmd := uint32(r.Args[1]); cmd {
	case unix.SIOCINQ:
		n, e := s.inq()
		if e != 0 {
			return 0, e
		}
		return 0, putU32(c, arg, uint32(n))
	case unix.SIOCOUTQ:
		n := 0
		if is, ok := s.(*inetSocket); ok {
			v, err := is.ep.GetSockOptInt(tcpip.SendQueueSizeOption)
			if err != nil {
				return 0, errnoOf(err)
			}
			n = v
		}
		return 0, putU32(c, arg, uint32(n))
	case unix.SIOCGIFCONF:
		return 0, l.ifconf(c, arg)
	case unix.SIOCGIFINDEX, unix.SIOCGIFNAME, unix.SIOCGIFFLAGS, unix.SIOCGIFMTU,
		unix.SIOCGIFHWADDR, unix.SIOCGIFADDR, unix.SIOCGIFNETMASK, unix.SIOCGIFBRDADDR:
		return 0, l.ifreq(c, cmd, arg)
	}
	return 0, unix.ENOTTY
}

// sizeofIfreq is struct ifreq: a name, then a 24-byte union.
const (
	sizeofIfreq = 40
	ifnamsiz    = 16
)

// ifreq answers one SIOCGIF* query on the struct ifreq at arg.
func (l *Layer) ifreq(c caller, cmd uint32, arg uint64) unix.Errno {
	var req [sizeofIfreq]byte
	if e := c.CopyIn(arg, req[:]); e != 0 {
		return e
	}
	var (
		f  iface
		ok bool
	)
	if cmd == unix.SIOCGIFNAME {
		f, ok = l.ifaceByIndex(int32(binary.LittleEndian.Uint32(req[ifnamsiz:])))
	} else {
		f, ok = l.ifaceByName(cString(req[:ifnamsiz]))
	}
	if !ok {
		return unix.ENODEV
	}
	u := req[ifnamsiz:]
	clear(u)
	le := binary.LittleEndian
	switch cmd {
	case unix.SIOCGIFNAME:
		clear(req[:ifnamsiz])
		copy(req[:ifnamsiz-1], f.name)
		le.PutUint32(u, uint32(f.index))
	case unix.SIOCGIFINDEX:
		le.PutUint32(u, uint32(f.index))
	case unix.SIOCGIFFLAGS:
		le.PutUint16(u, uint16(f.flags))
	case unix.SIOCGIFMTU:
		le.PutUint32(u, f.mtu)
	case unix.SIOCGIFHWADDR:
		le.PutUint16(u, f.arp)
		copy(u[2:16], f.mac)
	case unix.SIOCGIFADDR, unix.SIOCGIFNETMASK, unix.SIOCGIFBRDADDR:
		a, ok := firstV4(f)
		if !ok {
			return unix.EADDRNOTAVAIL
		}
		ip := a.Address
		sn := a.Subnet()
		switch cmd {
		case unix.SIOCGIFNETMASK:
			ip = v4Mask(a.PrefixLen)
		case unix.SIOCGIFBRDADDR:
			ip = sn.Broadcast()
		}
		copy(u, encodeInet(unix.AF_INET, tcpip.FullAddress{Addr: ip}))
	}
	return c.CopyOut(arg, req[:])
}

func firstV4(f iface) (tcpip.AddressWithPrefix, bool) {
	for _, a := range f.addrs {
		if isV4(a.Address) {
			return a, true
		}
	}
	return tcpip.AddressWithPrefix{}, false
}

// ifconf answers SIOCGIFCONF: struct ifconf {int len; char *buf} gets one
// ifreq per interface with an IPv4 address; a NULL buf asks for the size.
func (l *Layer) ifconf(c caller, arg uint64) unix.Errno {
	var hdr [16]byte
	if e := c.CopyIn(arg, hdr[:]); e != 0 {
		return e
	}
	room := int(int32(binary.LittleEndian.Uint32(hdr[:])))
	buf := binary.LittleEndian.Uint64(hdr[8:])
	var out []byte
	for _, f := range l.interfaces() {
		a, ok := firstV4(f)
		if !ok {
			continue
		}
		if buf != 0 && len(out)+sizeofIfreq > room {
			break
		}
		var req [sizeofIfreq]byte
		copy(req[:ifnamsiz-1], f.name)
		copy(req[ifnamsiz:], encodeInet(unix.AF_INET, tcpip.FullAddress{Addr: a.Address}))
		out = append(out, req[:]...)
	}
	if buf != 0 {
		if e := c.CopyOut(buf, out); e != 0 {
			return e
		}
	}
	return putU32(c, arg, uint32(len(out)))
}

// v4Mask is the IPv4 netmask of a prefix length.
func v4Mask(bits int) tcpip.Address {
	var m [4]byte
	binary.BigEndian.PutUint32(m[:], ^uint32(0)<<(32-min(max(bits, 0), 32)))
	if bits <= 0 {
		m = [4]byte{}
	}
	return tcpip.AddrFrom4(m)
}
