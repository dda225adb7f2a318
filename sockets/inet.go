package sockets

import (
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/header"
	"gvisor.dev/gvisor/pkg/tcpip/network/ipv4"
	"gvisor.dev/gvisor/pkg/tcpip/network/ipv6"
	"gvisor.dev/gvisor/pkg/tcpip/transport/icmp"
	"gvisor.dev/gvisor/pkg/tcpip/transport/tcp"

	"gvisor.dev/gvisor/pkg/tcpip/transport/udp"
	"gvisor.dev/gvisor/pkg/waiter"
	"warren.dev/kernel/sockabi"
)

// inetSocket is an AF_INET or AF_INET6 socket: a netstack endpoint.
type inetSocket struct {
	sockState
	ep tcpip.Endpoint

	// SO_RCVTIMEO and SO_SNDTIMEO, in nanoseconds; 0 waits for ever.
	rcvTimeo, sndTimeo atomic.Int64
}

// newInet makes an endpoint for socket(family, stype, proto).
func (l *Layer) newInet(family, stype, proto int) (*inetSocket, unix.Errno) {
	netProto := ipv4.ProtocolNumber
	if family == unix.AF_INET6 {
		netProto = ipv6.ProtocolNumber
	}
	if stype == unix.SOCK_RAW {
		return l.newRawInet(family, netProto, proto)
	}
	var trans tcpip.TransportProtocolNumber
	switch {
	case stype == unix.SOCK_STREAM && (proto == 0 || proto == unix.IPPROTO_TCP):
		trans, proto = tcp.ProtocolNumber, unix.IPPROTO_TCP
	case stype == unix.SOCK_DGRAM && (proto == 0 || proto == unix.IPPROTO_UDP):
		trans, proto = udp.ProtocolNumber, unix.IPPROTO_UDP
	case stype == unix.SOCK_DGRAM && family == unix.AF_INET && proto == unix.IPPROTO_ICMP:
		trans = icmp.ProtocolNumber4
	case stype == unix.SOCK_DGRAM && family == unix.AF_INET6 && proto == unix.IPPROTO_ICMPV6:
		trans = icmp.ProtocolNumber6
	case stype != unix.SOCK_STREAM && stype != unix.SOCK_DGRAM:
		return nil, unix.ESOCKTNOSUPPORT
	default:
		// IPPROTO_MPTCP among them: Go then falls back to TCP.
		return nil, unix.EPROTONOSUPPORT
	}
	if l.ns.NetworkProtocolInstance(netProto) == nil {
		return nil, unix.EAFNOSUPPORT
	}
	if l.ns.TransportProtocolInstance(trans) == nil {
		return nil, unix.EPROTONOSUPPORT
	}
	wq := new(waiter.Queue)
	ep, err := l.ns.NewEndpoint(trans, netProto, wq)
	if err != nil {
		return nil, errnoOf(err)
	}
	return l.wrapInet(ep, wq, family, stype, proto), 0
}

// newRawInet makes a raw IP endpoint (SOCK_RAW) for protocol proto: it
// receives every packet of proto, IPv4 ones with their header as Linux
// gives them, and sends the payloads it is given; IPPROTO_RAW sends
// packets whose header the caller writes and receives none.
func (l *Layer) newRawInet(family int, netProto tcpip.NetworkProtocolNumber, proto int) (*inetSocket, unix.Errno) {
	if proto <= 0 || proto > unix.IPPROTO_RAW {
		return nil, unix.EPROTONOSUPPORT
	}
	if l.ns.NetworkProtocolInstance(netProto) == nil {
		return nil, unix.EAFNOSUPPORT
	}
	wq := new(waiter.Queue)
	ep, err := l.ns.NewRawEndpoint(tcpip.TransportProtocolNumber(proto), netProto, wq, proto != unix.IPPROTO_RAW)
	if err != nil {
		return nil, errnoOf(err)
	}
	return l.wrapInet(ep, wq, family, unix.SOCK_RAW, proto), 0
}

// wrapInet makes a socket of an endpoint and watches its readiness.
func (l *Layer) wrapInet(ep tcpip.Endpoint, wq *waiter.Queue, family, stype, proto int) *inetSocket {
	s := &inetSocket{ep: ep}
	s.family, s.stype, s.proto = family, stype, proto
	l.watch(s, wq)
	return s
}

func (s *inetSocket) readiness() uint32 {
	ev := endpointEvents(s.ep.Readiness(reportEvents))
	if !s.stream() {
		return ev | sockabi.ExactIO
	}
	switch tcp.EndpointState(s.ep.State()) {
	case tcp.StateEstablished:
		// netstack shows a FIN or reset in the events before the state
		// leaves Established: with either, a read no longer blocks.
		if ev&stateEvents == 0 {
			ev |= sockabi.ExactIO
		}
	case tcp.StateListen:
		ev |= sockabi.ExactAccept
	}
	return ev
}

func (s *inetSocket) close() { s.ep.Close() }

func (s *inetSocket) stream() bool { return s.stype == unix.SOCK_STREAM }

// address decodes sa for this socket. exact asks for the socket's own
// family, at its full length (bind, TCP connect); otherwise an IPv6
// datagram socket also takes IPv4 addresses, as v4-mapped ones.
func (s *inetSocket) address(sa []byte, exact bool) (tcpip.FullAddress, unix.Errno) {
	need := sizeofSockaddrInet4
	if s.family == unix.AF_INET6 {
		need = minSockaddrInet6
	}
	if exact && len(sa) < need {
		return tcpip.FullAddress{}, unix.EINVAL
	}
	fa, fam, e := decodeInet(sa)
	if e != 0 {
		return fa, e
	}
	switch {
	case fam == s.family:
		return fa, 0
	case fam == unix.AF_INET && s.family == unix.AF_INET6 && !exact && !s.ep.SocketOptions().GetV6Only():
		return v4Mapped(fa), 0
	case fam == unix.AF_UNSPEC && s.family == unix.AF_INET && fa.Addr.BitLen() == 0:
		// Linux takes AF_UNSPEC with INADDR_ANY for AF_INET binds.
		return fa, 0
	}
	return fa, unix.EAFNOSUPPORT
}

func (s *inetSocket) bind(_ *Layer, sa []byte) unix.Errno {
	fa, e := s.address(sa, true)
	if e != 0 {
		return e
	}
	switch err := s.ep.Bind(fa); err.(type) {
	case *tcpip.ErrNoPortAvailable:
		return unix.EADDRINUSE
	default:
		return errnoOf(err)
	}
}

func (s *inetSocket) name() ([]byte, unix.Errno) {
	fa, err := s.ep.GetLocalAddress()
	if err != nil {
		return nil, errnoOf(err)
	}
	return encodeInet(s.family, fa), 0
}

func (s *inetSocket) peer() ([]byte, unix.Errno) {
	fa, err := s.ep.GetRemoteAddress()
	if err != nil {
		return nil, errnoOf(err)
	}
	return encodeInet(s.family, fa), 0
}

func (s *inetSocket) shutdown(how int) unix.Errno {
	var f tcpip.ShutdownFlags
	switch how {
	case unix.SHUT_RD:
		f = tcpip.ShutdownRead
	case unix.SHUT_WR:
		f = tcpip.ShutdownWrite
	case unix.SHUT_RDWR:
		f = tcpip.ShutdownRead | tcpip.ShutdownWrite
	default:
		return unix.EINVAL
	}
	return errnoOf(s.ep.Shutdown(f))
}

func (s *inetSocket) inq() (int, unix.Errno) {
	if s.stream() && s.ep.SocketOptions().GetAcceptConn() {
		return 0, unix.EINVAL
	}
	n, err := s.ep.GetSockOptInt(tcpip.ReceiveQueueSizeOption)
	return n, errnoOf(err)
}

// listen starts accepting; backlog is capped at somaxconn, as Linux does.
func (s *inetSocket) listen(backlog int32) unix.Errno {
	if uint32(backlog) > somaxconn {
		backlog = somaxconn
	}
	return errnoOf(s.ep.Listen(int(backlog)))
}

// accept takes one connection; the new socket is not yet installed.
func (s *inetSocket) accept(l *Layer, blk block) (socket, []byte, unix.Errno) {
	var (
		ep   tcpip.Endpoint
		wq   *waiter.Queue
		peer tcpip.FullAddress
	)
	e := l.wait(s, waitIn, blk, timeout(&s.rcvTimeo), func() unix.Errno {
		var err tcpip.Error
		ep, wq, err = s.ep.Accept(&peer)
		return errnoOf(err)
	})
	if e != 0 {
		return nil, nil, e
	}
	return l.wrapInet(ep, wq, s.family, s.stype, s.proto), encodeInet(s.family, peer), 0
}

// connect starts a connection; a blocking one waits for the handshake.
func (s *inetSocket) connect(l *Layer, sa []byte, blk block) unix.Errno {
	if fam, e := family(sa); e == 0 && fam == unix.AF_UNSPEC {
		switch err := s.ep.Disconnect(); err.(type) {
		case *tcpip.ErrNotSupported:
			return unix.EAFNOSUPPORT
		default:
			return errnoOf(err)
		}
	}
	fa, e := s.address(sa, s.stream())
	if e != 0 {
		return e
	}
	if !blk.ok {
		return s.connectErr(s.ep.Connect(fa))
	}
	entry, ch := waiter.NewChannelEntry(waitOut)
	s.wq.EventRegister(&entry)
	defer s.wq.EventUnregister(&entry)
	switch err := s.ep.Connect(fa); err.(type) {
	case *tcpip.ErrConnectStarted, *tcpip.ErrAlreadyConnecting:
	default:
		return s.connectErr(err)
	}
	var expired <-chan time.Time
	d := timeout(&s.sndTimeo)
	if d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		expired = t.C
	}
	select {
	case <-ch:
	case <-expired:
		return unix.EINPROGRESS
	case <-blk.interrupted:
		// The handshake goes on, as on Linux. Without a timeout the call
		// restarts, and the connect made again finds it under way
		// (ErrAlreadyConnecting above) and waits on; with one, EINTR.
		return errInterrupted(d > 0)
	}
	return s.connectErr(s.ep.Connect(fa))
}

func (s *inetSocket) connectErr(err tcpip.Error) unix.Errno {
	if _, ok := err.(*tcpip.ErrNoPortAvailable); ok && s.stream() {
		return unix.EADDRNOTAVAIL
	}
	return errnoOf(err)
}

// timeout reads SO_RCVTIMEO or SO_SNDTIMEO.
func timeout(v *atomicDuration) time.Duration { return time.Duration(v.Load()) }

// isV4 reports whether a is an IPv4 address.
func isV4(a tcpip.Address) bool { return a.Len() == header.IPv4AddressSize }
