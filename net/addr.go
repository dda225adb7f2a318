package net

import (
	"net/netip"

	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/header"
)

// Conversions between the standard library's address types and netstack's.

func toTCPIP(a netip.Addr) tcpip.Address {
	return tcpip.AddrFromSlice(a.Unmap().AsSlice())
}

func fromTCPIP(a tcpip.Address) netip.Addr {
	ip, _ := netip.AddrFromSlice(a.AsSlice())
	return ip
}

func toFull(ap netip.AddrPort, nic tcpip.NICID) tcpip.FullAddress {
	fa := tcpip.FullAddress{Port: ap.Port()}
	if a := ap.Addr(); a.IsValid() && !a.IsUnspecified() {
		fa.Addr = toTCPIP(a)
		if nic != 0 {
			fa.NIC = nic
		}
	}
	return fa
}

func fromFull(fa tcpip.FullAddress) netip.AddrPort {
	return netip.AddrPortFrom(fromTCPIP(fa.Addr), fa.Port)
}

func protoOf(a netip.Addr) tcpip.NetworkProtocolNumber {
	if a.Unmap().Is4() {
		return header.IPv4ProtocolNumber
	}
	return header.IPv6ProtocolNumber
}

func toProtocolAddress(p netip.Prefix) tcpip.ProtocolAddress {
	return tcpip.ProtocolAddress{
		Protocol: protoOf(p.Addr()),
		AddressWithPrefix: tcpip.AddressWithPrefix{
			Address:   toTCPIP(p.Addr()),
			PrefixLen: p.Bits(),
		},
	}
}

func toSubnet(p netip.Prefix) tcpip.Subnet {
	return tcpip.AddressWithPrefix{Address: toTCPIP(p.Masked().Addr()), PrefixLen: p.Bits()}.Subnet()
}

// defaultSubnet is 0.0.0.0/0 or ::/0.
func defaultSubnet(a netip.Addr) tcpip.Subnet {
	if a.Unmap().Is4() {
		return header.IPv4EmptySubnet
	}
	return header.IPv6EmptySubnet
}
