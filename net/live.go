package net

import (
	stdnet "net"
	"net/netip"
	"slices"

	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/header"

	"warren.dev/net/netinfo"
)

// Live, InterfaceState and Lease describe the configuration in force:
// what static options, DHCP and router advertisements have made of the
// stack (package netinfo, shared with stand-ins for this package).
type (
	Live           = netinfo.Live
	InterfaceState = netinfo.InterfaceState
	Lease          = netinfo.Lease
)

// Live returns a snapshot of the configuration in force.
func (s *Stack) Live() Live {
	addrs := s.ns.AllAddresses()
	routes := s.ns.GetRouteTable()
	var live Live
	for id, info := range s.ns.NICInfo() {
		st := InterfaceState{
			Name:  info.Name,
			Index: int(id),
			MAC:   stdnet.HardwareAddr([]byte(info.LinkAddress)),
			MTU:   int(info.MTU),
			Up:    true,
		}
		for _, pa := range addrs[id] {
			// Netstack lists the limited broadcast address as one of
			// each IPv4 interface's own; it is not configuration.
			if a := pa.AddressWithPrefix.Address; a.Unspecified() || a == header.IPv4Broadcast {
				continue
			}
			st.Addrs = append(st.Addrs, netip.PrefixFrom(fromTCPIP(pa.AddressWithPrefix.Address), pa.AddressWithPrefix.PrefixLen))
		}
		for _, r := range routes {
			if r.NIC == id && r.Destination.Prefix() == 0 && r.Gateway != (tcpip.Address{}) {
				st.Gateways = append(st.Gateways, fromTCPIP(r.Gateway))
			}
		}
		if n := s.nicByID(id); n != nil {
			st.Up = n.ep.NIC().LinkUp()
			if n.dhcp != nil {
				s.mu.Lock()
				if n.dhcp.lease != nil {
					l := *n.dhcp.lease
					st.Lease = &l
				}
				s.mu.Unlock()
			}
		}
		sortAddrs(st.Addrs)
		live.Interfaces = append(live.Interfaces, st)
	}
	slices.SortFunc(live.Interfaces, func(a, b InterfaceState) int { return a.Index - b.Index })
	s.mu.Lock()
	live.DNS = s.dnsServersLocked()
	s.mu.Unlock()
	return live
}

func (s *Stack) nicByID(id tcpip.NICID) *nicState {
	for _, n := range s.nics {
		if n.id == id {
			return n
		}
	}
	return nil
}

// sortAddrs puts IPv4 before IPv6, keeping the stack's order otherwise.
func sortAddrs(p []netip.Prefix) {
	slices.SortStableFunc(p, func(a, b netip.Prefix) int {
		if a.Addr().Is4() == b.Addr().Is4() {
			return 0
		}
		if a.Addr().Is4() {
			return -1
		}
		return 1
	})
}
