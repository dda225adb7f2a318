package net

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"sync"
	"time"

	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/header"
	"gvisor.dev/gvisor/pkg/tcpip/link/loopback"
	"gvisor.dev/gvisor/pkg/tcpip/link/qdisc/fifo"
	"gvisor.dev/gvisor/pkg/tcpip/network/arp"
	"gvisor.dev/gvisor/pkg/tcpip/network/ipv4"
	"gvisor.dev/gvisor/pkg/tcpip/network/ipv6"
	"gvisor.dev/gvisor/pkg/tcpip/stack"
	"gvisor.dev/gvisor/pkg/tcpip/transport/icmp"
	"gvisor.dev/gvisor/pkg/tcpip/transport/raw"
	"gvisor.dev/gvisor/pkg/tcpip/transport/tcp"
	"gvisor.dev/gvisor/pkg/tcpip/transport/udp"

	"warren.dev/net/link"
)

// Stack is a running network stack: netstack, its NICs, and the DHCP and
// router-advertisement state that keeps their configuration current.
type Stack struct {
	ns    *stack.Stack
	cfg   Config
	proto Protocols
	nics  []*nicState
	lo    tcpip.NICID // 0 without loopback

	ctx    context.Context // ends at Close; DHCP goroutines watch it
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu        sync.Mutex // guards the dynamic state below and in nicState
	ndpDNS    map[tcpip.NICID][]netip.Addr
	routeOps  []routeOp
	routeWake chan struct{}

	closeOnce sync.Once
}

// nicState is one NIC as the stack configured it.
type nicState struct {
	id   tcpip.NICID
	name string
	ep   *link.Endpoint
	ifc  Interface
	dhcp *dhcpState // nil unless ifc.DHCP
}

// Start builds a stack from cfg over nics and brings it up: addresses,
// routes, and, for interfaces configured so, a first DHCP lease, waiting
// at most cfg.DHCPTimeout for those (an interface without one goes on
// without an IPv4 address; cfg.Warn is told). The stack owns the NICs:
// Close closes them, and so does a failed Start.
func Start(cfg Config, nics []link.NIC) (*Stack, error) {
	s := &Stack{
		cfg:       cfg,
		proto:     cfg.protocols(),
		ndpDNS:    map[tcpip.NICID][]netip.Addr{},
		routeWake: make(chan struct{}, 1),
	}
	if err := s.checkProtocols(); err != nil {
		for _, nic := range nics {
			nic.Close()
		}
		return nil, err
	}
	s.ns = stack.New(s.options())
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.wg.Add(1)
	go s.routeWorker()
	err := s.setTransportOptions()
	if err == nil && !cfg.NoLoopback {
		err = s.addLoopback()
	}
	if err != nil {
		for _, nic := range nics {
			nic.Close()
		}
		s.Close()
		return nil, err
	}
	for i, nic := range nics {
		var ifc Interface
		if i < len(cfg.Interfaces) {
			ifc = cfg.Interfaces[i]
		}
		if err := s.addNIC(nic, ifc, i); err != nil {
			for _, rest := range nics[i+1:] {
				rest.Close()
			}
			s.Close()
			return nil, err
		}
	}
	if len(cfg.Interfaces) > len(nics) {
		s.Close()
		return nil, fmt.Errorf("net: %d interfaces configured but %d NICs found", len(cfg.Interfaces), len(nics))
	}
	if err := s.startDHCP(); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func (s *Stack) checkProtocols() error {
	if s.proto&(ProtoIPv4|ProtoIPv6) == 0 {
		return errors.New("net: config has neither IPv4 nor IPv6")
	}
	if s.proto&(ProtoTCP|ProtoUDP|ProtoICMP) == 0 {
		return errors.New("net: config has no transport protocol")
	}
	if s.proto&^AllProtocols != 0 {
		return fmt.Errorf("net: unknown protocol bits %#x", uint32(s.proto&^AllProtocols))
	}
	return nil
}

func (s *Stack) options() stack.Options {
	var opts stack.Options
	if s.proto&ProtoIPv4 != 0 {
		opts.NetworkProtocols = append(opts.NetworkProtocols, ipv4.NewProtocol, arp.NewProtocol)
	}
	if s.proto&ProtoIPv6 != 0 {
		opts.NetworkProtocols = append(opts.NetworkProtocols, ipv6.NewProtocolWithOptions(ipv6.Options{
			AutoGenLinkLocal: true,
			NDPConfigs: ipv6.NDPConfigurations{
				MaxRtrSolicitations:     3,
				RtrSolicitationInterval: 4 * time.Second,
				MaxRtrSolicitationDelay: time.Second,
				HandleRAs:               ipv6.HandlingRAsEnabledWhenForwardingDisabled,
				DiscoverDefaultRouters:  true,
				DiscoverOnLinkPrefixes:  true,
				AutoGenGlobalAddresses:  true,
			},
			NDPDisp:    (*ndpDispatcher)(s),
			DADConfigs: s.dadConfig(),
		}))
	}
	if s.proto&ProtoTCP != 0 {
		opts.TransportProtocols = append(opts.TransportProtocols, tcp.NewProtocol)
	}
	if s.proto&ProtoUDP != 0 {
		opts.TransportProtocols = append(opts.TransportProtocols, udp.NewProtocol)
	}
	if s.proto&ProtoICMP != 0 {
		if s.proto&ProtoIPv4 != 0 {
			opts.TransportProtocols = append(opts.TransportProtocols, icmp.NewProtocol4)
		}
		if s.proto&ProtoIPv6 != 0 {
			opts.TransportProtocols = append(opts.TransportProtocols, icmp.NewProtocol6)
		}
	}
	// Raw IP sockets (SOCK_RAW): every program is root.
	opts.RawFactory = raw.EndpointFactory{}
	// Packets to the stack's own addresses short-cut the NICs.
	opts.HandleLocal = true
	return opts
}

func (s *Stack) dadConfig() stack.DADConfigurations {
	c := stack.DefaultDADConfigurations()
	if s.cfg.NoDAD {
		c.DupAddrDetectTransmits = 0
	}
	return c
}

func (s *Stack) setTransportOptions() error {
	if s.proto&ProtoTCP == 0 {
		return nil
	}
	// RACK's timers fire spuriously when the CPU is starved (measured:
	// hundreds of needless retransmits); plain SACK recovery does not.
	recovery := tcpip.TCPRecovery(0)
	sack := tcpip.TCPSACKEnabled(true)
	moderate := tcpip.TCPModerateReceiveBufferOption(true)
	opts := []tcpip.SettableTransportProtocolOption{&recovery, &sack, &moderate}
	if s.cfg.TCPTimeWait > 0 {
		tw := tcpip.TCPTimeWaitTimeoutOption(s.cfg.TCPTimeWait)
		opts = append(opts, &tw)
	}
	for _, opt := range opts {
		if err := s.ns.SetTransportProtocolOption(tcp.ProtocolNumber, opt); err != nil {
			return fmt.Errorf("net: TCP option %T: %s", opt, err)
		}
	}
	return nil
}

// addLoopback adds lo with 127.0.0.1/8 and ::1.
func (s *Stack) addLoopback() error {
	s.lo = tcpip.NICID(len(s.nics) + 1)
	if err := s.ns.CreateNICWithOptions(s.lo, loopback.New(), stack.NICOptions{Name: "lo"}); err != nil {
		return fmt.Errorf("net: loopback: %s", err)
	}
	var addrs []netip.Prefix
	if s.proto&ProtoIPv4 != 0 {
		addrs = append(addrs, netip.MustParsePrefix("127.0.0.1/8"))
	}
	if s.proto&ProtoIPv6 != 0 {
		// Duplicate address detection on a loopback never concludes: ::1
		// would stay tentative, and binding to it fail, for ever.
		if ep, err := s.ns.GetNetworkEndpoint(s.lo, header.IPv6ProtocolNumber); err == nil {
			if d, ok := ep.(stack.DuplicateAddressDetector); ok {
				d.SetDADConfigurations(stack.DADConfigurations{})
			}
		}
		addrs = append(addrs, netip.MustParsePrefix("::1/128"))
	}
	for _, p := range addrs {
		if err := s.addAddress(s.lo, p); err != nil {
			return err
		}
	}
	return nil
}

// addNIC registers one NIC with its static configuration.
func (s *Stack) addNIC(nic link.NIC, ifc Interface, index int) error {
	name := ifc.Name
	if name == "" {
		name = fmt.Sprintf("eth%d", index)
	}
	n := &nicState{id: s.nextID(), name: name, ifc: ifc}
	n.ep = link.New(nic, link.Options{Name: name, NoGSO: s.cfg.NoGSO})
	if ifc.MTU > 0 {
		n.ep.SetMTU(uint32(ifc.MTU))
	}
	opts := stack.NICOptions{Name: name}
	if s.cfg.TXQueue > 0 {
		opts.QDisc = fifo.New(n.ep, 1, s.cfg.TXQueue)
	}
	if err := s.ns.CreateNICWithOptions(n.id, n.ep, opts); err != nil {
		n.ep.Close()
		return fmt.Errorf("net: %s: %s", name, err)
	}
	s.nics = append(s.nics, n)

	if ifc.NoSLAAC && s.proto&ProtoIPv6 != 0 {
		s.disableRAs(n.id)
	}
	for _, p := range ifc.Addrs {
		if err := s.checkFamily(p.Addr()); err != nil {
			return fmt.Errorf("net: %s address %s: %v", name, p, err)
		}
		if err := s.addAddress(n.id, p); err != nil {
			return fmt.Errorf("net: %s: %v", name, err)
		}
		s.ns.AddRoute(tcpip.Route{Destination: toSubnet(p), NIC: n.id})
	}
	if s.proto&ProtoIPv4 != 0 {
		// Limited broadcast goes out on the link; DHCP servers and
		// clients need it.
		bcast := netip.PrefixFrom(netip.AddrFrom4([4]byte{255, 255, 255, 255}), 32)
		s.ns.AddRoute(tcpip.Route{Destination: toSubnet(bcast), NIC: n.id})
	}
	if s.proto&ProtoIPv6 != 0 {
		s.ns.AddRoute(tcpip.Route{Destination: toSubnet(netip.MustParsePrefix("fe80::/10")), NIC: n.id})
	}
	for _, gw := range ifc.Gateways {
		if err := s.checkFamily(gw); err != nil {
			return fmt.Errorf("net: %s gateway %s: %v", name, gw, err)
		}
		s.ns.AddRoute(tcpip.Route{Destination: defaultSubnet(gw), Gateway: toTCPIP(gw), NIC: n.id})
	}
	if ifc.DHCP {
		if s.proto&(ProtoIPv4|ProtoUDP) != ProtoIPv4|ProtoUDP {
			return fmt.Errorf("net: %s: DHCP needs IPv4 and UDP", name)
		}
		n.dhcp = &dhcpState{}
	}
	return nil
}

func (s *Stack) nextID() tcpip.NICID {
	id := tcpip.NICID(len(s.nics) + 1)
	if s.lo != 0 {
		id++
	}
	return id
}

func (s *Stack) checkFamily(a netip.Addr) error {
	if a.Unmap().Is4() && s.proto&ProtoIPv4 == 0 {
		return errors.New("IPv4 is not enabled")
	}
	if !a.Unmap().Is4() && s.proto&ProtoIPv6 == 0 {
		return errors.New("IPv6 is not enabled")
	}
	return nil
}

func (s *Stack) addAddress(id tcpip.NICID, p netip.Prefix) error {
	if err := s.ns.AddProtocolAddress(id, toProtocolAddress(p), stack.AddressProperties{}); err != nil {
		return fmt.Errorf("address %s: %s", p, err)
	}
	return nil
}

// disableRAs stops one NIC from acting on router advertisements.
func (s *Stack) disableRAs(id tcpip.NICID) {
	ep, err := s.ns.GetNetworkEndpoint(id, header.IPv6ProtocolNumber)
	if err != nil {
		return
	}
	if ndp, ok := ep.(ipv6.NDPEndpoint); ok {
		ndp.SetNDPConfigurations(ipv6.NDPConfigurations{HandleRAs: ipv6.HandlingRAsDisabled})
	}
}

// Netstack is the underlying gVisor stack, for the syscall layer and
// anything else that needs endpoints directly.
func (s *Stack) Netstack() *stack.Stack { return s.ns }

// Links are the stack's NIC endpoints, in the order the NICs were given.
func (s *Stack) Links() []*link.Endpoint {
	out := make([]*link.Endpoint, len(s.nics))
	for i, n := range s.nics {
		out[i] = n.ep
	}
	return out
}

// Close stops DHCP, aborts every endpoint, detaches and closes the NICs and
// waits for netstack's goroutines to end.
func (s *Stack) Close() error {
	s.closeOnce.Do(func() {
		if s.cancel != nil {
			s.cancel()
		}
		s.wg.Wait()
		for _, n := range s.nics {
			if n.dhcp != nil && n.dhcp.client != nil {
				n.dhcp.client.Close()
			}
		}
		s.ns.Close()
		s.ns.Wait()
	})
	return nil
}

// dnsServersLocked is the DNS list in force: configured, then DHCP's, then
// router advertisements'. Caller holds s.mu.
func (s *Stack) dnsServersLocked() []netip.Addr {
	out := slices.Clone(s.cfg.DNS)
	for _, n := range s.nics {
		if n.dhcp != nil && n.dhcp.lease != nil {
			out = append(out, n.dhcp.lease.DNS...)
		}
		out = append(out, s.ndpDNS[n.id]...)
	}
	var uniq []netip.Addr
	for _, a := range out {
		if !slices.Contains(uniq, a) {
			uniq = append(uniq, a)
		}
	}
	return uniq
}
