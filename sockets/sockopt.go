package sockets

import (
	"encoding/binary"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
	"gvisor.dev/gvisor/pkg/tcpip"
)

// Socket options of inet sockets: one table from (level, name) to how the
// value is read and written. Values are the caller's bytes; int options
// are C ints (SOL_IP ones also take a single byte, as Linux's do).

type optKey struct{ level, name int }

// sockopt is one option. tcp marks SOL_TCP options (ENOPROTOOPT on other
// sockets), v6 SOL_IPV6 ones (AF_INET6 only).
type sockopt struct {
	name    string
	get     func(s *inetSocket) ([]byte, unix.Errno)
	set     func(l *Layer, s *inetSocket, v []byte) unix.Errno
	tcp, v6 bool
}

// ops is shorthand for an endpoint's socket options.
func ops(s *inetSocket) *tcpip.SocketOptions { return s.ep.SocketOptions() }

var inetOpts = map[optKey]sockopt{
	{unix.SOL_SOCKET, unix.SO_REUSEADDR}:  boolOpt("SO_REUSEADDR", (*tcpip.SocketOptions).GetReuseAddress, (*tcpip.SocketOptions).SetReuseAddress),
	{unix.SOL_SOCKET, unix.SO_REUSEPORT}:  boolOpt("SO_REUSEPORT", (*tcpip.SocketOptions).GetReusePort, (*tcpip.SocketOptions).SetReusePort),
	{unix.SOL_SOCKET, unix.SO_KEEPALIVE}:  boolOpt("SO_KEEPALIVE", (*tcpip.SocketOptions).GetKeepAlive, (*tcpip.SocketOptions).SetKeepAlive),
	{unix.SOL_SOCKET, unix.SO_BROADCAST}:  boolOpt("SO_BROADCAST", (*tcpip.SocketOptions).GetBroadcast, (*tcpip.SocketOptions).SetBroadcast),
	{unix.SOL_SOCKET, unix.SO_NO_CHECK}:   boolOpt("SO_NO_CHECK", (*tcpip.SocketOptions).GetNoChecksum, (*tcpip.SocketOptions).SetNoChecksum),
	{unix.SOL_SOCKET, unix.SO_OOBINLINE}:  intOpt("SO_OOBINLINE", func(*inetSocket) (int, unix.Errno) { return 1, 0 }, func(*inetSocket, int) unix.Errno { return 0 }),
	{unix.SOL_SOCKET, unix.SO_ACCEPTCONN}: intOpt("SO_ACCEPTCONN", func(s *inetSocket) (int, unix.Errno) { return b2i(ops(s).GetAcceptConn()), 0 }, nil),
	{unix.SOL_SOCKET, unix.SO_ERROR}: intOpt("SO_ERROR", func(s *inetSocket) (int, unix.Errno) {
		return int(errnoOf(ops(s).GetLastError())), 0
	}, nil),
	{unix.SOL_SOCKET, unix.SO_SNDBUF}:      sndbuf("SO_SNDBUF"),
	{unix.SOL_SOCKET, unix.SO_SNDBUFFORCE}: sndbuf("SO_SNDBUFFORCE"),
	{unix.SOL_SOCKET, unix.SO_RCVBUF}:      rcvbuf("SO_RCVBUF"),
	{unix.SOL_SOCKET, unix.SO_RCVBUFFORCE}: rcvbuf("SO_RCVBUFFORCE"),
	{unix.SOL_SOCKET, unix.SO_RCVLOWAT}: intOpt("SO_RCVLOWAT", func(s *inetSocket) (int, unix.Errno) { return int(ops(s).GetRcvlowat()), 0 },
		func(s *inetSocket, v int) unix.Errno { return errnoOf(ops(s).SetRcvlowat(int32(max(v, 1)))) }),
	{unix.SOL_SOCKET, unix.SO_LINGER}:       {name: "SO_LINGER", get: getLinger, set: setLinger},
	{unix.SOL_SOCKET, unix.SO_RCVTIMEO}:     timeoOpt("SO_RCVTIMEO", func(s *inetSocket) *atomicDuration { return &s.rcvTimeo }),
	{unix.SOL_SOCKET, unix.SO_SNDTIMEO}:     timeoOpt("SO_SNDTIMEO", func(s *inetSocket) *atomicDuration { return &s.sndTimeo }),
	{unix.SOL_SOCKET, unix.SO_BINDTODEVICE}: {name: "SO_BINDTODEVICE", get: getBindToDevice, set: setBindToDevice},

	{unix.SOL_TCP, unix.TCP_NODELAY}: tcpOpt(intOpt("TCP_NODELAY", func(s *inetSocket) (int, unix.Errno) { return b2i(!ops(s).GetDelayOption()), 0 },
		func(s *inetSocket, v int) unix.Errno { ops(s).SetDelayOption(v == 0); return 0 })),
	{unix.SOL_TCP, unix.TCP_CORK}:         tcpOpt(boolOpt("TCP_CORK", (*tcpip.SocketOptions).GetCorkOption, (*tcpip.SocketOptions).SetCorkOption)),
	{unix.SOL_TCP, unix.TCP_QUICKACK}:     tcpOpt(boolOpt("TCP_QUICKACK", (*tcpip.SocketOptions).GetQuickAck, (*tcpip.SocketOptions).SetQuickAck)),
	{unix.SOL_TCP, unix.TCP_KEEPIDLE}:     tcpOpt(durationOpt("TCP_KEEPIDLE", time.Second, 1, 32767, func() durationOption { return new(tcpip.KeepaliveIdleOption) })),
	{unix.SOL_TCP, unix.TCP_KEEPINTVL}:    tcpOpt(durationOpt("TCP_KEEPINTVL", time.Second, 1, 32767, func() durationOption { return new(tcpip.KeepaliveIntervalOption) })),
	{unix.SOL_TCP, unix.TCP_USER_TIMEOUT}: tcpOpt(durationOpt("TCP_USER_TIMEOUT", time.Millisecond, 0, 1<<31-1, func() durationOption { return new(tcpip.TCPUserTimeoutOption) })),
	{unix.SOL_TCP, unix.TCP_LINGER2}:      tcpOpt(durationOpt("TCP_LINGER2", time.Second, -1<<31, 1<<31-1, func() durationOption { return new(tcpip.TCPLingerTimeoutOption) })),
	{unix.SOL_TCP, unix.TCP_DEFER_ACCEPT}: tcpOpt(durationOpt("TCP_DEFER_ACCEPT", time.Second, 0, 1<<31-1, func() durationOption { return new(tcpip.TCPDeferAcceptOption) })),
	{unix.SOL_TCP, unix.TCP_KEEPCNT}:      tcpOpt(epIntOpt("TCP_KEEPCNT", tcpip.KeepaliveCountOption, 1, 127)),
	{unix.SOL_TCP, unix.TCP_MAXSEG}:       tcpOpt(epIntOpt("TCP_MAXSEG", tcpip.MaxSegOption, 0, 1<<31-1)),
	{unix.SOL_TCP, unix.TCP_SYNCNT}:       tcpOpt(epIntOpt("TCP_SYNCNT", tcpip.TCPSynCountOption, 1, 127)),
	{unix.SOL_TCP, unix.TCP_WINDOW_CLAMP}: tcpOpt(epIntOpt("TCP_WINDOW_CLAMP", tcpip.TCPWindowClampOption, 0, 1<<31-1)),
	{unix.SOL_TCP, unix.TCP_CONGESTION}:   tcpOpt(sockopt{name: "TCP_CONGESTION", get: getCongestion, set: setCongestion}),

	{unix.SOL_IP, unix.IP_TOS}:             epIntOpt("IP_TOS", tcpip.IPv4TOSOption, 0, 255),
	{unix.SOL_IP, unix.IP_TTL}:             defaultedOpt(epIntOpt("IP_TTL", tcpip.IPv4TTLOption, -1, 255), 0, 64),
	{unix.SOL_IP, unix.IP_MULTICAST_TTL}:   epIntOpt("IP_MULTICAST_TTL", tcpip.MulticastTTLOption, 0, 255),
	{unix.SOL_IP, unix.IP_MULTICAST_LOOP}:  boolOpt("IP_MULTICAST_LOOP", (*tcpip.SocketOptions).GetMulticastLoop, (*tcpip.SocketOptions).SetMulticastLoop),
	{unix.SOL_IP, unix.IP_MTU_DISCOVER}:    epIntOpt("IP_MTU_DISCOVER", tcpip.MTUDiscoverOption, 0, 3),
	{unix.SOL_IP, unix.IP_RECVTOS}:         boolOpt("IP_RECVTOS", (*tcpip.SocketOptions).GetReceiveTOS, (*tcpip.SocketOptions).SetReceiveTOS),
	{unix.SOL_IP, unix.IP_RECVTTL}:         boolOpt("IP_RECVTTL", (*tcpip.SocketOptions).GetReceiveTTL, (*tcpip.SocketOptions).SetReceiveTTL),
	{unix.SOL_IP, unix.IP_PKTINFO}:         boolOpt("IP_PKTINFO", (*tcpip.SocketOptions).GetReceivePacketInfo, (*tcpip.SocketOptions).SetReceivePacketInfo),
	{unix.SOL_IP, unix.IP_ADD_MEMBERSHIP}:  {name: "IP_ADD_MEMBERSHIP", set: membership4(true)},
	{unix.SOL_IP, unix.IP_DROP_MEMBERSHIP}: {name: "IP_DROP_MEMBERSHIP", set: membership4(false)},
	{unix.SOL_IP, unix.IP_MULTICAST_IF}:    {name: "IP_MULTICAST_IF", get: getMulticastIf4, set: setMulticastIf4},

	{unix.SOL_IPV6, unix.IPV6_V6ONLY}:          v6Opt(boolOpt("IPV6_V6ONLY", (*tcpip.SocketOptions).GetV6Only, (*tcpip.SocketOptions).SetV6Only)),
	{unix.SOL_IPV6, unix.IPV6_TCLASS}:          v6Opt(epIntOpt("IPV6_TCLASS", tcpip.IPv6TrafficClassOption, -1, 255)),
	{unix.SOL_IPV6, unix.IPV6_UNICAST_HOPS}:    v6Opt(defaultedOpt(epIntOpt("IPV6_UNICAST_HOPS", tcpip.IPv6HopLimitOption, -1, 255), -1, 64)),
	{unix.SOL_IPV6, unix.IPV6_MULTICAST_HOPS}:  v6Opt(epIntOpt("IPV6_MULTICAST_HOPS", tcpip.MulticastTTLOption, 0, 255)),
	{unix.SOL_IPV6, unix.IPV6_MULTICAST_LOOP}:  v6Opt(boolOpt("IPV6_MULTICAST_LOOP", (*tcpip.SocketOptions).GetMulticastLoop, (*tcpip.SocketOptions).SetMulticastLoop)),
	{unix.SOL_IPV6, unix.IPV6_MULTICAST_IF}:    v6Opt(epIntOpt("IPV6_MULTICAST_IF", tcpip.IPv6MulticastInterfaceOption, 0, 1<<31-1)),
	{unix.SOL_IPV6, unix.IPV6_RECVPKTINFO}:     v6Opt(boolOpt("IPV6_RECVPKTINFO", (*tcpip.SocketOptions).GetIPv6ReceivePacketInfo, (*tcpip.SocketOptions).SetIPv6ReceivePacketInfo)),
	{unix.SOL_IPV6, unix.IPV6_RECVTCLASS}:      v6Opt(boolOpt("IPV6_RECVTCLASS", (*tcpip.SocketOptions).GetReceiveTClass, (*tcpip.SocketOptions).SetReceiveTClass)),
	{unix.SOL_IPV6, unix.IPV6_RECVHOPLIMIT}:    v6Opt(boolOpt("IPV6_RECVHOPLIMIT", (*tcpip.SocketOptions).GetReceiveHopLimit, (*tcpip.SocketOptions).SetReceiveHopLimit)),
	{unix.SOL_IPV6, unix.IPV6_ADD_MEMBERSHIP}:  v6Opt(sockopt{name: "IPV6_ADD_MEMBERSHIP", set: membership6(true)}),
	{unix.SOL_IPV6, unix.IPV6_DROP_MEMBERSHIP}: v6Opt(sockopt{name: "IPV6_DROP_MEMBERSHIP", set: membership6(false)}),
}

func (s *inetSocket) getsockopt(_ *Layer, level, name int) ([]byte, unix.Errno) {
	o, e := s.option(level, name)
	if e != 0 {
		return nil, e
	}
	if o.get == nil {
		return nil, unix.ENOPROTOOPT
	}
	return o.get(s)
}

func (s *inetSocket) setsockopt(l *Layer, level, name int, v []byte) unix.Errno {
	o, e := s.option(level, name)
	if e != 0 {
		return e
	}
	if o.set == nil {
		return unix.ENOPROTOOPT
	}
	return o.set(l, s, v)
}

func (s *inetSocket) option(level, name int) (sockopt, unix.Errno) {
	o, ok := inetOpts[optKey{level, name}]
	if !ok || o.tcp && (!s.stream() || s.proto != unix.IPPROTO_TCP) || o.v6 && s.family != unix.AF_INET6 {
		return sockopt{}, unix.ENOPROTOOPT
	}
	return o, 0
}

// Option value codecs.

func tcpOpt(o sockopt) sockopt { o.tcp = true; return o }
func v6Opt(o sockopt) sockopt  { o.v6 = true; return o }

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func intBytes(v int) []byte { return binary.LittleEndian.AppendUint32(nil, uint32(int32(v))) }

// optInt decodes a C int; a single byte is taken only at SOL_IP, which
// the caller marks with short.
func optInt(v []byte, short bool) (int, unix.Errno) {
	switch {
	case len(v) >= 4:
		return int(int32(binary.LittleEndian.Uint32(v))), 0
	case short && len(v) >= 1:
		return int(v[0]), 0
	}
	return 0, unix.EINVAL
}

// intOpt is an int option with accessor functions; a nil set makes it
// read-only.
func intOpt(name string, get func(*inetSocket) (int, unix.Errno), set func(*inetSocket, int) unix.Errno) sockopt {
	o := sockopt{name: name, get: func(s *inetSocket) ([]byte, unix.Errno) {
		v, e := get(s)
		return intBytes(v), e
	}}
	if set != nil {
		short := len(name) > 3 && name[:3] == "IP_"
		o.set = func(_ *Layer, s *inetSocket, b []byte) unix.Errno {
			v, e := optInt(b, short)
			if e != 0 {
				return e
			}
			return set(s, v)
		}
	}
	return o
}

// boolOpt is a flag of netstack's SocketOptions.
func boolOpt(name string, get func(*tcpip.SocketOptions) bool, set func(*tcpip.SocketOptions, bool)) sockopt {
	return intOpt(name, func(s *inetSocket) (int, unix.Errno) { return b2i(get(ops(s))), 0 },
		func(s *inetSocket, v int) unix.Errno { set(ops(s), v != 0); return 0 })
}

// epIntOpt is an endpoint int option within [lo, hi].
func epIntOpt(name string, opt tcpip.SockOptInt, lo, hi int) sockopt {
	return intOpt(name, func(s *inetSocket) (int, unix.Errno) {
		v, err := s.ep.GetSockOptInt(opt)
		return v, errnoOf(err)
	}, func(s *inetSocket, v int) unix.Errno {
		if v < lo || v > hi {
			return unix.EINVAL
		}
		return errnoOf(s.ep.SetSockOptInt(opt, v))
	})
}

// defaultedOpt reads netstack's "use the default" value as the default.
func defaultedOpt(o sockopt, unset, def int) sockopt {
	get := o.get
	o.get = func(s *inetSocket) ([]byte, unix.Errno) {
		b, e := get(s)
		if e == 0 && int(int32(binary.LittleEndian.Uint32(b))) == unset {
			b = intBytes(def)
		}
		return b, e
	}
	return o
}

// durationOption is a netstack option held as a time.Duration.
type durationOption interface {
	tcpip.GettableSocketOption
	tcpip.SettableSocketOption
}

// durationOpt is an int option counted in unit, within [lo, hi].
func durationOpt(name string, unit time.Duration, lo, hi int, mk func() durationOption) sockopt {
	return intOpt(name, func(s *inetSocket) (int, unix.Errno) {
		o := mk()
		if err := s.ep.GetSockOpt(o); err != nil {
			return 0, errnoOf(err)
		}
		return int(durationOf(o) / unit), 0
	}, func(s *inetSocket, v int) unix.Errno {
		if v < lo || v > hi {
			return unix.EINVAL
		}
		return errnoOf(s.ep.SetSockOpt(withDuration(mk(), time.Duration(v)*unit)))
	})
}

func durationOf(o durationOption) time.Duration {
	switch o := o.(type) {
	case *tcpip.KeepaliveIdleOption:
		return time.Duration(*o)
	case *tcpip.KeepaliveIntervalOption:
		return time.Duration(*o)
	case *tcpip.TCPUserTimeoutOption:
		return time.Duration(*o)
	case *tcpip.TCPLingerTimeoutOption:
		return time.Duration(*o)
	case *tcpip.TCPDeferAcceptOption:
		return time.Duration(*o)
	}
	return 0
}

func withDuration(o durationOption, d time.Duration) durationOption {
	switch o := o.(type) {
	case *tcpip.KeepaliveIdleOption:
		*o = tcpip.KeepaliveIdleOption(d)
	case *tcpip.KeepaliveIntervalOption:
		*o = tcpip.KeepaliveIntervalOption(d)
	case *tcpip.TCPUserTimeoutOption:
		*o = tcpip.TCPUserTimeoutOption(d)
	case *tcpip.TCPLingerTimeoutOption:
		*o = tcpip.TCPLingerTimeoutOption(d)
	case *tcpip.TCPDeferAcceptOption:
		*o = tcpip.TCPDeferAcceptOption(d)
	}
	return o
}

func sndbuf(name string) sockopt {
	return intOpt(name, func(s *inetSocket) (int, unix.Errno) { return int(ops(s).GetSendBufferSize()), 0 },
		func(s *inetSocket, v int) unix.Errno { ops(s).SetSendBufferSize(int64(max(v, 0)), true); return 0 })
}

func rcvbuf(name string) sockopt {
	return intOpt(name, func(s *inetSocket) (int, unix.Errno) { return int(ops(s).GetReceiveBufferSize()), 0 },
		func(s *inetSocket, v int) unix.Errno { ops(s).SetReceiveBufferSize(int64(max(v, 0)), true); return 0 })
}

// struct linger {int l_onoff; int l_linger}.
func getLinger(s *inetSocket) ([]byte, unix.Errno) {
	lg := ops(s).GetLinger()
	b := intBytes(b2i(lg.Enabled))
	return append(b, intBytes(int(lg.Timeout/time.Second))...), 0
}

func setLinger(_ *Layer, s *inetSocket, v []byte) unix.Errno {
	if len(v) < 8 {
		return unix.EINVAL
	}
	on, secs := int32(binary.LittleEndian.Uint32(v)), int32(binary.LittleEndian.Uint32(v[4:]))
	ops(s).SetLinger(tcpip.LingerOption{Enabled: on != 0, Timeout: time.Duration(max(secs, 0)) * time.Second})
	return 0
}

type atomicDuration = atomic.Int64

// timeoOpt is SO_RCVTIMEO or SO_SNDTIMEO: a struct timeval; zero means
// no timeout.
func timeoOpt(name string, field func(*inetSocket) *atomicDuration) sockopt {
	return sockopt{name: name,
		get: func(s *inetSocket) ([]byte, unix.Errno) {
			return timevalBytes(time.Duration(field(s).Load())), 0
		},
		set: func(_ *Layer, s *inetSocket, v []byte) unix.Errno {
			d, e := parseTimeval(v)
			if e == 0 {
				field(s).Store(int64(d))
			}
			return e
		},
	}
}

// timevalBytes encodes d as a struct timeval.
func timevalBytes(d time.Duration) []byte {
	b := binary.LittleEndian.AppendUint64(nil, uint64(d/time.Second))
	return binary.LittleEndian.AppendUint64(b, uint64(d%time.Second/time.Microsecond))
}

// parseTimeval decodes a socket timeout: a negative one is none, as Linux
// takes it.
func parseTimeval(v []byte) (time.Duration, unix.Errno) {
	if len(v) < 16 {
		return 0, unix.EINVAL
	}
	sec, usec := int64(binary.LittleEndian.Uint64(v)), int64(binary.LittleEndian.Uint64(v[8:]))
	if usec < 0 || usec >= 1e6 {
		return 0, unix.EDOM
	}
	d := time.Duration(0)
	if sec > 0 {
		d = time.Duration(min(sec, int64(1<<33))) * time.Second
		d += time.Duration(usec) * time.Microsecond
	} else if sec == 0 {
		d = time.Duration(usec) * time.Microsecond
	}
	return d, 0
}

func getBindToDevice(s *inetSocket) ([]byte, unix.Errno) {
	id := ops(s).GetBindToDevice()
	if id == 0 {
		return nil, 0
	}
	return append([]byte(s.layer.nicName(id)), 0), 0
}

func setBindToDevice(l *Layer, s *inetSocket, v []byte) unix.Errno {
	name := cString(v)
	if name == "" {
		return errnoOf(ops(s).SetBindToDevice(0))
	}
	f, ok := l.ifaceByName(name)
	if !ok {
		return unix.ENODEV
	}
	return errnoOf(ops(s).SetBindToDevice(f.index))
}

// cString is b up to its first NUL.
func cString(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}

func getCongestion(s *inetSocket) ([]byte, unix.Errno) {
	var o tcpip.CongestionControlOption
	if err := s.ep.GetSockOpt(&o); err != nil {
		return nil, errnoOf(err)
	}
	b := make([]byte, 16) // TCP_CA_NAME_MAX
	copy(b, o)
	return b, 0
}

func setCongestion(_ *Layer, s *inetSocket, v []byte) unix.Errno {
	o := tcpip.CongestionControlOption(cString(v[:min(len(v), 16)]))
	if err := s.ep.SetSockOpt(&o); err != nil {
		return unix.ENOENT
	}
	return 0
}

// membership4 decodes struct ip_mreq (group, interface address) or
// struct ip_mreqn (group, address, ifindex).
func membership4(join bool) func(*Layer, *inetSocket, []byte) unix.Errno {
	return func(_ *Layer, s *inetSocket, v []byte) unix.Errno {
		if len(v) < 8 {
			return unix.EINVAL
		}
		m := tcpip.MembershipOption{MulticastAddr: tcpip.AddrFrom4Slice(v[:4])}
		if a := tcpip.AddrFrom4Slice(v[4:8]); !a.Unspecified() {
			m.InterfaceAddr = a
		}
		if len(v) >= 12 {
			m.NIC = tcpip.NICID(int32(binary.LittleEndian.Uint32(v[8:])))
		}
		return membership(s, m, join)
	}
}

// membership6 decodes struct ipv6_mreq (group, ifindex).
func membership6(join bool) func(*Layer, *inetSocket, []byte) unix.Errno {
	return func(_ *Layer, s *inetSocket, v []byte) unix.Errno {
		if len(v) < 20 {
			return unix.EINVAL
		}
		m := tcpip.MembershipOption{
			MulticastAddr: tcpip.AddrFrom16Slice(v[:16]),
			NIC:           tcpip.NICID(int32(binary.LittleEndian.Uint32(v[16:]))),
		}
		return membership(s, m, join)
	}
}

func membership(s *inetSocket, m tcpip.MembershipOption, join bool) unix.Errno {
	if join {
		o := tcpip.AddMembershipOption(m)
		return errnoOf(s.ep.SetSockOpt(&o))
	}
	o := tcpip.RemoveMembershipOption(m)
	return errnoOf(s.ep.SetSockOpt(&o))
}

// IP_MULTICAST_IF takes struct in_addr, ip_mreq or ip_mreqn; reads give
// the in_addr.
func getMulticastIf4(s *inetSocket) ([]byte, unix.Errno) {
	var o tcpip.MulticastInterfaceOption
	if err := s.ep.GetSockOpt(&o); err != nil {
		return nil, errnoOf(err)
	}
	b := make([]byte, 4)
	if isV4(o.InterfaceAddr) {
		copy(b, o.InterfaceAddr.AsSlice())
	}
	return b, 0
}

func setMulticastIf4(_ *Layer, s *inetSocket, v []byte) unix.Errno {
	var o tcpip.MulticastInterfaceOption
	switch {
	case len(v) >= 12:
		o.NIC = tcpip.NICID(int32(binary.LittleEndian.Uint32(v[8:])))
		fallthrough
	case len(v) >= 8:
		// ip_mreq(n): the interface address follows the group.
		if a := tcpip.AddrFrom4Slice(v[4:8]); !a.Unspecified() {
			o.InterfaceAddr = a
		}
	case len(v) >= 4:
		if a := tcpip.AddrFrom4Slice(v[:4]); !a.Unspecified() {
			o.InterfaceAddr = a
		}
	default:
		return unix.EINVAL
	}
	return errnoOf(s.ep.SetSockOpt(&o))
}
