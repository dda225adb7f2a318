// Package netinfo describes a network configuration in force: the
// interfaces, their addresses, gateways and DHCP leases, and the DNS
// servers. It has no network stack of its own, so the stack (warren.dev/net)
// and anything that stands in for it share one description.
package netinfo

import (
	"fmt"
	"net"
	"net/netip"
	"strings"
	"time"
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
	MAC      net.HardwareAddr
	MTU      int
	Up       bool // the NIC reports link; loopback is always up
	Addrs    []netip.Prefix
	Gateways []netip.Addr // default routers, IPv4 first
	Lease    *Lease       // the DHCP lease, if any
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

// Lease is what a DHCP server granted one interface.
type Lease struct {
	Addr     netip.Prefix // the address and its network
	Router   netip.Addr   // default gateway; invalid if none was offered
	DNS      []netip.Addr
	Server   netip.Addr // the server identifier
	Obtained time.Time
	Duration time.Duration // lease time
	T1       time.Duration // renewal time, from Obtained
}
