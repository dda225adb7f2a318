package net

import (
	"net/netip"
	"time"

	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/header"
	"gvisor.dev/gvisor/pkg/tcpip/network/ipv6"
	"gvisor.dev/gvisor/pkg/tcpip/stack"
)

// ndpDispatcher receives what IPv6 router advertisements teach: routers,
// on-link prefixes and DNS servers. Netstack forbids calling into the stack
// from these callbacks, so route changes are queued for the route worker.
type ndpDispatcher Stack

var _ ipv6.NDPDispatcher = (*ndpDispatcher)(nil)

// routeOp is a route change waiting for the route worker.
type routeOp struct {
	add   bool
	route tcpip.Route
}

func (d *ndpDispatcher) queue(op routeOp) {
	s := (*Stack)(d)
	s.mu.Lock()
	s.routeOps = append(s.routeOps, op)
	s.mu.Unlock()
	select {
	case s.routeWake <- struct{}{}:
	default:
	}
}

// routeWorker applies queued route changes until the stack closes.
func (s *Stack) routeWorker() {
	defer s.wg.Done()
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-s.routeWake:
		}
		s.mu.Lock()
		ops := s.routeOps
		s.routeOps = nil
		s.mu.Unlock()
		for _, op := range ops {
			s.ns.RemoveRoutes(func(r tcpip.Route) bool { return r.Equal(op.route) })
			if op.add {
				s.ns.AddRoute(op.route)
			}
		}
	}
}

// OnDuplicateAddressDetectionResult implements ipv6.NDPDispatcher.
func (d *ndpDispatcher) OnDuplicateAddressDetectionResult(tcpip.NICID, tcpip.Address, stack.DADResult) {
}

// OnOffLinkRouteUpdated implements ipv6.NDPDispatcher: a router to use.
func (d *ndpDispatcher) OnOffLinkRouteUpdated(nic tcpip.NICID, dst tcpip.Subnet, router tcpip.Address, _ header.NDPRoutePreference) {
	d.queue(routeOp{add: true, route: tcpip.Route{Destination: dst, Gateway: router, NIC: nic}})
}

// OnOffLinkRouteInvalidated implements ipv6.NDPDispatcher.
func (d *ndpDispatcher) OnOffLinkRouteInvalidated(nic tcpip.NICID, dst tcpip.Subnet, router tcpip.Address) {
	d.queue(routeOp{route: tcpip.Route{Destination: dst, Gateway: router, NIC: nic}})
}

// OnOnLinkPrefixDiscovered implements ipv6.NDPDispatcher.
func (d *ndpDispatcher) OnOnLinkPrefixDiscovered(nic tcpip.NICID, prefix tcpip.Subnet) {
	d.queue(routeOp{add: true, route: tcpip.Route{Destination: prefix, NIC: nic}})
}

// OnOnLinkPrefixInvalidated implements ipv6.NDPDispatcher.
func (d *ndpDispatcher) OnOnLinkPrefixInvalidated(nic tcpip.NICID, prefix tcpip.Subnet) {
	d.queue(routeOp{route: tcpip.Route{Destination: prefix, NIC: nic}})
}

// OnAutoGenAddress implements ipv6.NDPDispatcher. SLAAC addresses show up
// in the stack's address list; nothing else needs to follow them.
func (d *ndpDispatcher) OnAutoGenAddress(tcpip.NICID, tcpip.AddressWithPrefix) stack.AddressDispatcher {
	return nil
}

// OnAutoGenAddressDeprecated implements ipv6.NDPDispatcher.
func (d *ndpDispatcher) OnAutoGenAddressDeprecated(tcpip.NICID, tcpip.AddressWithPrefix) {}

// OnAutoGenAddressInvalidated implements ipv6.NDPDispatcher.
func (d *ndpDispatcher) OnAutoGenAddressInvalidated(tcpip.NICID, tcpip.AddressWithPrefix) {}

// OnRecursiveDNSServerOption implements ipv6.NDPDispatcher: the DNS servers
// a router advertises (RFC 8106). A zero lifetime withdraws them; expiry is
// otherwise left to the next advertisement.
func (d *ndpDispatcher) OnRecursiveDNSServerOption(nic tcpip.NICID, addrs []tcpip.Address, lifetime time.Duration) {
	s := (*Stack)(d)
	s.mu.Lock()
	defer s.mu.Unlock()
	if lifetime == 0 {
		delete(s.ndpDNS, nic)
		return
	}
	list := make([]netip.Addr, 0, len(addrs))
	for _, a := range addrs {
		list = append(list, fromTCPIP(a))
	}
	s.ndpDNS[nic] = list
}

// OnDNSSearchListOption implements ipv6.NDPDispatcher.
func (d *ndpDispatcher) OnDNSSearchListOption(tcpip.NICID, []string, time.Duration) {}

// OnDHCPv6Configuration implements ipv6.NDPDispatcher. There is no DHCPv6
// client.
func (d *ndpDispatcher) OnDHCPv6Configuration(tcpip.NICID, ipv6.DHCPv6ConfigurationFromNDPRA) {}
