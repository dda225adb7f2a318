package sockets

import (
	"encoding/binary"

	"golang.org/x/sys/unix"
	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/header"
)

// Route netlink: RTM_GETLINK, RTM_GETADDR and RTM_GETROUTE dumps, built
// from netstack's state at the time of the request.

const (
	nlmsgHdrLen  = 16
	sizeofIfInfo = 16 // ifinfomsg
	sizeofIfAddr = 8  // ifaddrmsg
	sizeofRtMsg  = 12 // rtmsg
)

func nlAlign(n int) int { return (n + 3) &^ 3 }

// nlMsg builds one netlink message.
type nlMsg struct{ b []byte }

func newNlMsg(typ, flags uint16, seq, pid uint32) *nlMsg {
	m := &nlMsg{b: make([]byte, nlmsgHdrLen, 128)}
	le := binary.LittleEndian
	le.PutUint16(m.b[4:], typ)
	le.PutUint16(m.b[6:], flags)
	le.PutUint32(m.b[8:], seq)
	le.PutUint32(m.b[12:], pid)
	return m
}

func (m *nlMsg) put(b ...byte) *nlMsg { m.b = append(m.b, b...); return m }

func (m *nlMsg) u16(v uint16) *nlMsg { m.b = binary.LittleEndian.AppendUint16(m.b, v); return m }

func (m *nlMsg) u32(v uint32) *nlMsg { m.b = binary.LittleEndian.AppendUint32(m.b, v); return m }

// attr appends a route attribute (struct rtattr), padded.
func (m *nlMsg) attr(typ uint16, data []byte) *nlMsg {
	m.u16(uint16(4 + len(data))).u16(typ).put(data...)
	for len(m.b)%4 != 0 {
		m.b = append(m.b, 0)
	}
	return m
}

func (m *nlMsg) attrU32(typ uint16, v uint32) *nlMsg {
	return m.attr(typ, binary.LittleEndian.AppendUint32(nil, v))
}

// done sets the length and returns the bytes.
func (m *nlMsg) done() []byte {
	binary.LittleEndian.PutUint32(m.b, uint32(len(m.b)))
	return m.b
}

// rtnetlink answers one request message with reply datagrams.
func (l *Layer) rtnetlink(req []byte, pid uint32) [][]byte {
	le := binary.LittleEndian
	typ, flags, seq := le.Uint16(req[4:]), le.Uint16(req[6:]), le.Uint32(req[8:])
	if flags&unix.NLM_F_REQUEST == 0 {
		return nil
	}
	body := req[nlmsgHdrLen:]
	var fam uint8
	if len(body) > 0 {
		fam = body[0]
	}
	dump := flags&unix.NLM_F_DUMP == unix.NLM_F_DUMP
	var msgs [][]byte
	switch {
	case typ == unix.RTM_GETLINK && dump:
		for _, f := range l.interfaces() {
			msgs = append(msgs, linkMsg(f, unix.NLM_F_MULTI, seq, pid))
		}
	case typ == unix.RTM_GETLINK:
		if len(body) < sizeofIfInfo {
			return nlError(req, pid, unix.EINVAL)
		}
		f, ok := l.ifaceByIndex(int32(le.Uint32(body[4:])))
		if !ok {
			return nlError(req, pid, unix.ENODEV)
		}
		msgs = [][]byte{linkMsg(f, 0, seq, pid)}
		if flags&unix.NLM_F_ACK != 0 {
			msgs = append(msgs, nlError(req, pid, 0)[0])
		}
		return packDatagrams(msgs)
	case typ == unix.RTM_GETADDR && dump:
		// Family by family, IPv4 first, as Linux dumps them.
		ifs := l.interfaces()
		for _, af := range []uint8{unix.AF_INET, unix.AF_INET6} {
			if fam != unix.AF_UNSPEC && fam != af {
				continue
			}
			for _, f := range ifs {
				for _, a := range f.addrs {
					if afOf(a.Address) == af {
						msgs = append(msgs, addrMsg(f, a, seq, pid))
					}
				}
			}
		}
	case typ == unix.RTM_GETROUTE && dump:
		for _, r := range l.ns.GetRouteTable() {
			if familyMatches(fam, r.Destination.ID()) {
				msgs = append(msgs, routeMsg(r, seq, pid))
			}
		}
	default:
		return nlError(req, pid, unix.EOPNOTSUPP)
	}
	msgs = append(msgs, newNlMsg(unix.NLMSG_DONE, unix.NLM_F_MULTI, seq, pid).u32(0).done())
	return packDatagrams(msgs)
}

// nlError answers req with NLMSG_ERROR carrying -e and req's header (an
// acknowledgement when e is 0).
func nlError(req []byte, pid uint32, e unix.Errno) [][]byte {
	seq := binary.LittleEndian.Uint32(req[8:])
	m := newNlMsg(unix.NLMSG_ERROR, unix.NLM_F_CAPPED, seq, pid).u32(uint32(-int32(e))).put(req[:nlmsgHdrLen]...)
	return [][]byte{m.done()}
}

// packDatagrams puts whole messages into datagrams of at most nlDatagram
// bytes.
func packDatagrams(msgs [][]byte) [][]byte {
	var out [][]byte
	var cur []byte
	for _, m := range msgs {
		if len(cur) > 0 && len(cur)+len(m) > nlDatagram {
			out = append(out, cur)
			cur = nil
		}
		cur = append(cur, m...)
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

func familyMatches(fam uint8, a tcpip.Address) bool {
	switch fam {
	case unix.AF_INET:
		return a.Len() == header.IPv4AddressSize
	case unix.AF_INET6:
		return a.Len() == header.IPv6AddressSize
	}
	return true
}

func afOf(a tcpip.Address) uint8 {
	if isV4(a) {
		return unix.AF_INET
	}
	return unix.AF_INET6
}

// linkMsg is RTM_NEWLINK for f.
func linkMsg(f iface, flags uint16, seq, pid uint32) []byte {
	m := newNlMsg(unix.RTM_NEWLINK, flags, seq, pid)
	m.put(unix.AF_UNSPEC, 0).u16(f.arp).u32(uint32(f.index)).u32(f.flags).u32(0xffffffff)
	m.attr(unix.IFLA_IFNAME, append([]byte(f.name), 0))
	m.attrU32(unix.IFLA_MTU, f.mtu)
	m.attrU32(unix.IFLA_TXQLEN, 1000)
	oper := byte(2) // IF_OPER_DOWN
	if f.flags&unix.IFF_RUNNING != 0 {
		oper = 6 // IF_OPER_UP
	}
	m.attr(unix.IFLA_OPERSTATE, []byte{oper})
	if len(f.mac) > 0 {
		m.attr(unix.IFLA_ADDRESS, f.mac)
		bcast := make([]byte, len(f.mac))
		if f.flags&unix.IFF_BROADCAST != 0 {
			for i := range bcast {
				bcast[i] = 0xff
			}
		}
		m.attr(unix.IFLA_BROADCAST, bcast)
	}
	return m.done()
}

// addrMsg is RTM_NEWADDR for address a of f. IPv4 carries IFA_LOCAL and
// a label as Linux's do.
func addrMsg(f iface, a tcpip.AddressWithPrefix, seq, pid uint32) []byte {
	m := newNlMsg(unix.RTM_NEWADDR, unix.NLM_F_MULTI, seq, pid)
	scope := uint8(unix.RT_SCOPE_UNIVERSE)
	switch {
	case f.flags&unix.IFF_LOOPBACK != 0:
		scope = unix.RT_SCOPE_HOST
	case !isV4(a.Address) && header.IsV6LinkLocalUnicastAddress(a.Address):
		scope = unix.RT_SCOPE_LINK
	}
	m.put(afOf(a.Address), uint8(a.PrefixLen), unix.IFA_F_PERMANENT, scope).u32(uint32(f.index))
	m.attr(unix.IFA_ADDRESS, a.Address.AsSlice())
	if isV4(a.Address) {
		m.attr(unix.IFA_LOCAL, a.Address.AsSlice())
		if a.PrefixLen < 31 {
			sn := a.Subnet()
			bc := sn.Broadcast()
			m.attr(unix.IFA_BROADCAST, bc.AsSlice())
		}
		m.attr(unix.IFA_LABEL, append([]byte(f.name), 0))
	}
	m.attrU32(unix.IFA_FLAGS, unix.IFA_F_PERMANENT)
	return m.done()
}

// routeMsg is RTM_NEWROUTE for r, in the main table.
func routeMsg(r tcpip.Route, seq, pid uint32) []byte {
	m := newNlMsg(unix.RTM_NEWROUTE, unix.NLM_F_MULTI, seq, pid)
	dst := r.Destination.ID()
	scope, proto := uint8(unix.RT_SCOPE_LINK), uint8(unix.RTPROT_KERNEL)
	if r.Gateway.BitLen() != 0 {
		scope, proto = unix.RT_SCOPE_UNIVERSE, unix.RTPROT_BOOT
	}
	m.put(afOf(dst), uint8(r.Destination.Prefix()), 0, 0, unix.RT_TABLE_MAIN, proto, scope, unix.RTN_UNICAST).u32(0)
	m.attrU32(unix.RTA_TABLE, unix.RT_TABLE_MAIN)
	if r.Destination.Prefix() > 0 {
		m.attr(unix.RTA_DST, dst.AsSlice())
	}
	if r.Gateway.BitLen() != 0 {
		m.attr(unix.RTA_GATEWAY, r.Gateway.AsSlice())
	}
	m.attrU32(unix.RTA_OIF, uint32(r.NIC))
	return m.done()
}
