package net

import (
	"context"
	"errors"
	"fmt"
	stdnet "net"
	"net/netip"
	"strconv"

	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/adapters/gonet"
	"gvisor.dev/gvisor/pkg/tcpip/header"
	"gvisor.dev/gvisor/pkg/tcpip/transport/udp"
	"gvisor.dev/gvisor/pkg/waiter"
)

// The in-program netstack API: the standard library's interfaces over
// netstack, called directly by the program (no system call). Connections are gonet's: they satisfy net.Conn
// with deadlines, and TCP ones have CloseRead and CloseWrite.

// ListenTCP listens on ap. An unspecified address listens on every
// address; with IPv6 enabled, an unspecified one of either family makes
// one dual-stack listener that also accepts IPv4.
func (s *Stack) ListenTCP(ap netip.AddrPort) (*TCPListener, error) {
	fa, proto, err := s.bindAddr("tcp", ap)
	if err != nil {
		return nil, err
	}
	l, err := gonet.ListenTCP(s.ns, fa, proto)
	if err != nil {
		return nil, err
	}
	return &TCPListener{l}, nil
}

// DialTCP connects to raddr, from laddr if it is valid.
func (s *Stack) DialTCP(ctx context.Context, laddr, raddr netip.AddrPort) (*TCPConn, error) {
	ra, proto, err := s.peerAddr("tcp", raddr)
	if err != nil {
		return nil, err
	}
	var la tcpip.FullAddress
	if laddr.IsValid() {
		la = toFull(laddr, ra.NIC)
	}
	c, err := gonet.DialTCPWithBind(ctx, s.ns, la, ra, proto)
	if err != nil {
		return nil, err
	}
	return &TCPConn{c}, nil
}

// ListenUDP opens an unconnected UDP socket bound to ap.
func (s *Stack) ListenUDP(ap netip.AddrPort) (*UDPConn, error) {
	fa, proto, err := s.bindAddr("udp", ap)
	if err != nil {
		return nil, err
	}
	return udpConn(gonet.DialUDP(s.ns, &fa, nil, proto))
}

func udpConn(c *gonet.UDPConn, err error) (*UDPConn, error) {
	if err != nil {
		return nil, err
	}
	return &UDPConn{c}, nil
}

// ListenUDPBroadcast is ListenUDP with SO_BROADCAST set, for protocols
// that send to 255.255.255.255 (a DHCP server, discovery). A non-empty
// device binds the socket to that interface, as SO_BINDTODEVICE does.
func (s *Stack) ListenUDPBroadcast(ap netip.AddrPort, device string) (*UDPConn, error) {
	fa, proto, err := s.bindAddr("udp", ap)
	if err != nil {
		return nil, err
	}
	var nic tcpip.NICID
	if device != "" {
		if nic = s.zoneNIC(device); nic == 0 {
			return nil, fmt.Errorf("net: no interface %q", device)
		}
	}
	return udpConn(s.broadcastUDP(fa, proto, nic))
}

// broadcastUDP builds the socket by hand: gonet's constructors cannot set
// SO_BROADCAST before binding.
func (s *Stack) broadcastUDP(fa tcpip.FullAddress, proto tcpip.NetworkProtocolNumber, nic tcpip.NICID) (*gonet.UDPConn, error) {
	var wq waiter.Queue
	ep, terr := s.ns.NewEndpoint(udp.ProtocolNumber, proto, &wq)
	if terr != nil {
		return nil, errors.New(terr.String())
	}
	ep.SocketOptions().SetBroadcast(true)
	if nic != 0 {
		if terr := ep.SocketOptions().SetBindToDevice(int32(nic)); terr != nil {
			ep.Close()
			return nil, errors.New(terr.String())
		}
		fa.NIC = nic
	}
	if terr := ep.Bind(fa); terr != nil {
		ep.Close()
		return nil, &stdnet.OpError{Op: "bind", Net: "udp", Addr: stdnet.UDPAddrFromAddrPort(fromFull(fa)), Err: errors.New(terr.String())}
	}
	return gonet.NewUDPConn(&wq, ep), nil
}

// DialUDP opens a UDP socket connected to raddr, bound to laddr if valid.
func (s *Stack) DialUDP(laddr, raddr netip.AddrPort) (*UDPConn, error) {
	ra, proto, err := s.peerAddr("udp", raddr)
	if err != nil {
		return nil, err
	}
	var la *tcpip.FullAddress
	if laddr.IsValid() {
		fa := toFull(laddr, ra.NIC)
		la = &fa
	}
	return udpConn(gonet.DialUDP(s.ns, la, &ra, proto))
}

// Listen is net.Listen on this stack: network is "tcp", "tcp4" or "tcp6"
// and address "host:port" with a literal IP, "localhost" or no host.
func (s *Stack) Listen(ctx context.Context, network, address string) (stdnet.Listener, error) {
	ap, err := s.resolve(network, address, "tcp")
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return s.ListenTCP(ap)
}

// ListenPacket is net.ListenPacket on this stack for "udp", "udp4" and
// "udp6".
func (s *Stack) ListenPacket(ctx context.Context, network, address string) (stdnet.PacketConn, error) {
	ap, err := s.resolve(network, address, "udp")
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return s.ListenUDP(ap)
}

// Dial is net.Dialer.DialContext on this stack for TCP and UDP; it has
// the signature http.Transport.DialContext wants.
func (s *Stack) Dial(ctx context.Context, network, address string) (stdnet.Conn, error) {
	switch network {
	case "tcp", "tcp4", "tcp6":
		ap, err := s.resolve(network, address, "tcp")
		if err != nil {
			return nil, err
		}
		return s.DialTCP(ctx, netip.AddrPort{}, ap)
	case "udp", "udp4", "udp6":
		ap, err := s.resolve(network, address, "udp")
		if err != nil {
			return nil, err
		}
		return s.DialUDP(netip.AddrPort{}, ap)
	}
	return nil, &stdnet.OpError{Op: "dial", Net: network, Err: stdnet.UnknownNetworkError(network)}
}

// resolve parses "host:port" for network, which must be of family base.
// There is no resolver: hosts are literal IPs or "localhost".
func (s *Stack) resolve(network, address, base string) (netip.AddrPort, error) {
	opErr := func(err error) error {
		return &stdnet.OpError{Op: "resolve", Net: network, Err: err}
	}
	if network != base && network != base+"4" && network != base+"6" {
		return netip.AddrPort{}, opErr(stdnet.UnknownNetworkError(network))
	}
	host, portStr, err := stdnet.SplitHostPort(address)
	if err != nil {
		return netip.AddrPort{}, opErr(err)
	}
	port, err := strconv.ParseUint(portStr, 10, 16)
	if err != nil {
		return netip.AddrPort{}, opErr(&stdnet.AddrError{Err: "invalid port", Addr: address})
	}
	var ip netip.Addr
	switch {
	case host == "" && network == base+"4":
		ip = netip.IPv4Unspecified()
	case host == "" && network == base+"6":
		ip = netip.IPv6Unspecified()
	case host == "":
	case host == "localhost" && network != base+"6" && s.proto&ProtoIPv4 != 0:
		ip = netip.AddrFrom4([4]byte{127, 0, 0, 1})
	case host == "localhost":
		ip = netip.IPv6Loopback()
	default:
		ip, err = netip.ParseAddr(host)
		if err != nil {
			return netip.AddrPort{}, opErr(&stdnet.DNSError{Err: "no resolver; use a literal IP address", Name: host, IsNotFound: true})
		}
	}
	if ip.IsValid() && (network == base+"4" && !ip.Unmap().Is4() || network == base+"6" && ip.Is4()) {
		return netip.AddrPort{}, opErr(&stdnet.AddrError{Err: "address family mismatch", Addr: address})
	}
	return netip.AddrPortFrom(ip, uint16(port)), nil
}

// bindAddr turns a local address into netstack's, choosing the protocol:
// an unspecified address goes dual-stack when IPv6 is enabled.
func (s *Stack) bindAddr(net string, ap netip.AddrPort) (tcpip.FullAddress, tcpip.NetworkProtocolNumber, error) {
	a := ap.Addr()
	if !a.IsValid() || a.IsUnspecified() {
		proto := header.IPv6ProtocolNumber
		if s.proto&ProtoIPv6 == 0 || a.Is4() && a.IsValid() {
			proto = header.IPv4ProtocolNumber
		}
		if err := s.checkFamily(fromProto(proto)); err != nil {
			return tcpip.FullAddress{}, 0, &stdnet.OpError{Op: "listen", Net: net, Err: err}
		}
		return tcpip.FullAddress{Port: ap.Port()}, proto, nil
	}
	return s.peerAddr(net, ap)
}

// peerAddr converts a specific address, resolving an IPv6 zone to its NIC.
func (s *Stack) peerAddr(net string, ap netip.AddrPort) (tcpip.FullAddress, tcpip.NetworkProtocolNumber, error) {
	a := ap.Addr()
	if !a.IsValid() {
		return tcpip.FullAddress{}, 0, &stdnet.OpError{Op: "dial", Net: net, Err: &stdnet.AddrError{Err: "missing address"}}
	}
	if err := s.checkFamily(a); err != nil {
		return tcpip.FullAddress{}, 0, &stdnet.OpError{Op: "dial", Net: net, Addr: stdnet.TCPAddrFromAddrPort(ap), Err: err}
	}
	var nic tcpip.NICID
	if z := a.Zone(); z != "" {
		nic = s.zoneNIC(z)
		if nic == 0 {
			return tcpip.FullAddress{}, 0, &stdnet.OpError{Op: "dial", Net: net, Err: fmt.Errorf("no interface %q", z)}
		}
	}
	return toFull(ap, nic), protoOf(a), nil
}

// zoneNIC maps an IPv6 zone (an interface name or index) to a NIC.
func (s *Stack) zoneNIC(zone string) tcpip.NICID {
	for id, info := range s.ns.NICInfo() {
		if info.Name == zone || strconv.Itoa(int(id)) == zone {
			return id
		}
	}
	return 0
}

func fromProto(p tcpip.NetworkProtocolNumber) netip.Addr {
	if p == header.IPv4ProtocolNumber {
		return netip.IPv4Unspecified()
	}
	return netip.IPv6Unspecified()
}
