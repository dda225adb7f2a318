package net

import (
	"fmt"
	stdnet "net"
	"net/netip"
	"slices"
	"strings"

	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/header"
)

// Live is the configuration in force: what static options, DHCP and
// router advertisements have made of the stack.
type Live struct {
	Interfaces []InterfaceState
	DNS        []netip.Addr
}

// InterfaceState is one interface as it is now.
type InterfaceState struct {
	Name     string
	Index    int // netstack's NIC ID
	MAC      stdnet.HardwareAddr
	MTU      int
	Up       bool // the NIC reports link; loopback is always up
	Addrs    []netip.Prefix
	Gateways []netip.Addr // default routers, IPv4 first
	Lease    *Lease       // the DHCP lease, if any
}

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

// Gateway returns the first default router of the given family (IPv4 when
// v4 is true), or an invalid Addr.
func (l Live) Gateway(v4 bool) netip.Addr {
	for _, ifc := range l.Interfaces {
		for _, gw := range ifc.Gateways {
			if gw.Is4() == v4 {
				return gw
			}
		}
	}
	return netip.Addr{}
}

// ResolvConf renders the DNS servers as /etc/resolv.conf.
func (l Live) ResolvConf() string {
	var b strings.Builder
	for _, d := range l.DNS {
		fmt.Fprintf(&b, "nameserver %s\n", d)
	}
	return b.String()
}

// String is a short ifconfig-like description.
func (l Live) String() string {
	var b strings.Builder
	for _, ifc := range l.Interfaces {
		state := "up"
		if !ifc.Up {
			state = "down"
		}
		fmt.Fprintf(&b, "%s: %s mtu %d", ifc.Name, state, ifc.MTU)
		if len(ifc.MAC) > 0 {
			fmt.Fprintf(&b, " ether %s", ifc.MAC)
		}
		b.WriteByte('\n')
		for _, a := range ifc.Addrs {
			fmt.Fprintf(&b, "    inet %s\n", a)
		}
		for _, g := range ifc.Gateways {
			fmt.Fprintf(&b, "    gateway %s\n", g)
		}
		if l := ifc.Lease; l != nil {
			fmt.Fprintf(&b, "    dhcp from %s, lease %v, renew at %s\n", l.Server, l.Duration, l.Obtained.Add(l.T1).Format("15:04:05"))
		}
	}
	for _, d := range l.DNS {
		fmt.Fprintf(&b, "dns %s\n", d)
	}
	return b.String()
}
