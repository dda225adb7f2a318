package net

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4/nclient4"
	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/header"
	"gvisor.dev/gvisor/pkg/tcpip/network/ipv4"
	"gvisor.dev/gvisor/pkg/tcpip/stack"
)

// dhcpState is one interface's DHCP client. Its fields are written by the
// goroutine that owns the client and read under Stack.mu.
type dhcpState struct {
	client *nclient4.Client
	raw    *nclient4.Lease
	lease  *Lease
	routes []tcpip.Route // the routes the lease added
}

// DefaultDHCPTimeout is how long Start waits for first DHCP leases when
// Config.DHCPTimeout is 0.
const DefaultDHCPTimeout = 30 * time.Second

const (
	dhcpClientPort   = 68
	dhcpRetryTimeout = 2 * time.Second // per message; nclient4 retries
	dhcpMinRetry     = time.Second     // shortest wait between renewals
)

// ErrNoDHCPAnswer is what Config.Warn is told, with the interface's name
// and the wait, about an interface that has no lease when Start stops
// waiting: no server answered, or none with a usable lease.
var ErrNoDHCPAnswer = errors.New("DHCP got no answer")

// startDHCP waits for a first lease on every DHCP interface, up to the
// DHCP timeout in all. An interface still without one goes on without an
// IPv4 address, which cfg.Warn hears about: a network without a DHCP
// server must not keep the program from starting. Each interface's client
// is then left to a goroutine that keeps asking, or renews the lease.
func (s *Stack) startDHCP() error {
	wait := s.cfg.DHCPTimeout
	if wait <= 0 {
		wait = DefaultDHCPTimeout
	}
	ctx, cancel := context.WithTimeout(s.ctx, wait)
	defer cancel()
	for _, n := range s.nics {
		if n.dhcp == nil {
			continue
		}
		if err := s.dhcpOpen(n); err != nil {
			return fmt.Errorf("net: %s: DHCP: %w", n.name, err)
		}
		if s.dhcpAcquire(ctx, n) != nil && s.cfg.Warn != nil {
			s.cfg.Warn(fmt.Errorf("net: %s: %w in %v; going on without an IPv4 address, still asking", n.name, ErrNoDHCPAnswer, wait))
		}
		s.wg.Add(1)
		go s.dhcpMaintain(n)
	}
	return nil
}

// dhcpOpen makes the client's socket: UDP port 68 on this NIC, allowed to
// broadcast, which gonet's own constructors cannot ask for.
func (s *Stack) dhcpOpen(n *nicState) error {
	conn, err := s.broadcastUDP(tcpip.FullAddress{Port: dhcpClientPort}, ipv4.ProtocolNumber, n.id)
	if err != nil {
		return err
	}
	client, err := nclient4.NewWithConn(conn, n.ep.HardwareAddr(),
		nclient4.WithTimeout(dhcpRetryTimeout), nclient4.WithRetry(3))
	if err != nil {
		conn.Close()
		return err
	}
	n.dhcp.client = client
	return nil
}

// dhcpAcquire runs DISCOVER-OFFER-REQUEST-ACK and applies the lease,
// starting over until it has one or ctx ends. Until an address is bound
// the NIC holds 0.0.0.0, the source RFC 2131 requires, so netstack will
// send and accept the exchange.
func (s *Stack) dhcpAcquire(ctx context.Context, n *nicState) error {
	unspec := tcpip.ProtocolAddress{Protocol: ipv4.ProtocolNumber, AddressWithPrefix: tcpip.AddressWithPrefix{Address: header.IPv4Any}}
	if terr := s.ns.AddProtocolAddress(n.id, unspec, stack.AddressProperties{}); terr != nil {
		return fmt.Errorf("temporary address: %s", terr)
	}
	defer s.ns.RemoveAddress(n.id, header.IPv4Any)
	for {
		raw, err := n.dhcp.client.Request(ctx)
		if err == nil {
			if err = s.dhcpApply(n, raw); err == nil {
				return nil
			}
		}
		// No answer, a NAK or a lease without an address: start over
		// after a pause.
		select {
		case <-ctx.Done():
			return err
		case <-time.After(dhcpMinRetry):
		}
	}
}

// dhcpMaintain asks for a lease until there is one, renews it at T1 and
// keeps trying, every half of the remaining time, until it expires; then
// it starts over from DISCOVER.
func (s *Stack) dhcpMaintain(n *nicState) {
	defer s.wg.Done()
	for {
		s.mu.Lock()
		l, raw := n.dhcp.lease, n.dhcp.raw
		s.mu.Unlock()
		if l == nil {
			if s.dhcpAcquire(s.ctx, n) != nil {
				return // only Close ends dhcpAcquire without a lease
			}
			continue
		}
		expiry := l.Obtained.Add(l.Duration)
		if !s.sleepUntil(l.Obtained.Add(l.T1)) {
			return
		}
		renewed := false
		for !renewed && time.Now().Before(expiry) {
			ctx, cancel := context.WithDeadline(s.ctx, expiry)
			fresh, err := n.dhcp.client.Renew(ctx, raw)
			cancel()
			if err == nil && s.dhcpApply(n, fresh) == nil {
				renewed = true
				break
			}
			wait := max(time.Until(expiry)/2, dhcpMinRetry)
			if !s.sleepUntil(time.Now().Add(wait)) {
				return
			}
		}
		if !renewed {
			s.dhcpUnapply(n)
		}
	}
}

// sleepUntil waits for t and reports false if the stack closed first.
func (s *Stack) sleepUntil(t time.Time) bool {
	timer := time.NewTimer(time.Until(t))
	defer timer.Stop()
	select {
	case <-s.ctx.Done():
		return false
	case <-timer.C:
		return true
	}
}

// dhcpApply installs a lease: address, on-link and default routes, DNS.
func (s *Stack) dhcpApply(n *nicState, raw *nclient4.Lease) error {
	l, err := leaseFrom(raw)
	if err != nil {
		return err
	}
	s.mu.Lock()
	old := n.dhcp.lease
	s.mu.Unlock()
	if old == nil || old.Addr != l.Addr || old.Router != l.Router {
		s.dhcpUnapply(n)
		if err := s.addAddress(n.id, l.Addr); err != nil {
			return err
		}
		routes := []tcpip.Route{{Destination: toSubnet(l.Addr), NIC: n.id}}
		if l.Router.IsValid() {
			routes = append(routes, tcpip.Route{Destination: header.IPv4EmptySubnet, Gateway: toTCPIP(l.Router), NIC: n.id})
		}
		for _, r := range routes {
			s.ns.AddRoute(r)
		}
		s.mu.Lock()
		n.dhcp.routes = routes
		s.mu.Unlock()
	}
	s.mu.Lock()
	n.dhcp.lease, n.dhcp.raw = l, raw
	s.mu.Unlock()
	return nil
}

// dhcpUnapply removes what the current lease installed.
func (s *Stack) dhcpUnapply(n *nicState) {
	s.mu.Lock()
	l, routes := n.dhcp.lease, n.dhcp.routes
	n.dhcp.lease, n.dhcp.routes = nil, nil
	s.mu.Unlock()
	if l == nil {
		return
	}
	s.ns.RemoveRoutes(func(r tcpip.Route) bool {
		for _, mine := range routes {
			if r.Equal(mine) {
				return true
			}
		}
		return false
	})
	s.ns.RemoveAddress(n.id, toTCPIP(l.Addr.Addr()))
}

// leaseFrom reads the parts of an ACK the stack uses.
func leaseFrom(raw *nclient4.Lease) (*Lease, error) {
	ack := raw.ACK
	ip, ok := netip.AddrFromSlice(ack.YourIPAddr.To4())
	if !ok || ip.IsUnspecified() {
		return nil, fmt.Errorf("DHCP ACK without an address")
	}
	bits := 24
	if m := ack.SubnetMask(); m != nil {
		if ones, size := m.Size(); size == 32 {
			bits = ones
		}
	}
	l := &Lease{
		Addr:     netip.PrefixFrom(ip, bits),
		Obtained: raw.CreationTime,
		Duration: ack.IPAddressLeaseTime(time.Hour),
	}
	if l.Obtained.IsZero() {
		l.Obtained = time.Now()
	}
	l.T1 = ack.IPAddressRenewalTime(l.Duration / 2)
	if rs := ack.Router(); len(rs) > 0 {
		l.Router, _ = netip.AddrFromSlice(rs[0].To4())
	}
	for _, d := range ack.DNS() {
		if a, ok := netip.AddrFromSlice(d.To4()); ok {
			l.DNS = append(l.DNS, a)
		}
	}
	if id := ack.ServerIdentifier(); id != nil {
		l.Server, _ = netip.AddrFromSlice(id.To4())
	}
	return l, nil
}
