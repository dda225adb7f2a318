package net

import (
	"encoding/binary"
	"net/netip"

	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/header"

	"warren.dev/drivers/ether"
)

// Frame builders for tests that talk to a stack from a raw NIC.

func ethFrame(dst, src [6]byte, typ tcpip.NetworkProtocolNumber, payload []byte) []byte {
	f := make([]byte, header.EthernetMinimumSize+len(payload))
	header.Ethernet(f).Encode(&header.EthernetFields{
		SrcAddr: tcpip.LinkAddress(src[:]), DstAddr: tcpip.LinkAddress(dst[:]), Type: typ,
	})
	copy(f[header.EthernetMinimumSize:], payload)
	return f
}

// ipv4Packet wraps a transport payload (its checksum already set) in IPv4.
func ipv4Packet(src, dst netip.Addr, proto uint8, payload []byte) []byte {
	p := make([]byte, header.IPv4MinimumSize+len(payload))
	ip := header.IPv4(p)
	ip.Encode(&header.IPv4Fields{
		TotalLength: uint16(len(p)), TTL: 64, Protocol: proto,
		SrcAddr: toTCPIP(src), DstAddr: toTCPIP(dst),
	})
	ip.SetChecksum(^ip.CalculateChecksum())
	copy(p[header.IPv4MinimumSize:], payload)
	return p
}

func ipv6Packet(src, dst netip.Addr, next uint8, hopLimit uint8, payload []byte) []byte {
	p := make([]byte, header.IPv6MinimumSize+len(payload))
	header.IPv6(p).Encode(&header.IPv6Fields{
		PayloadLength: uint16(len(payload)), TransportProtocol: tcpip.TransportProtocolNumber(next),
		HopLimit: hopLimit, SrcAddr: toTCPIP(src), DstAddr: toTCPIP(dst),
	})
	copy(p[header.IPv6MinimumSize:], payload)
	return p
}

// udpSegment builds a UDP header and payload with a correct checksum.
func udpSegment(src, dst netip.AddrPort, payload []byte) []byte {
	u := make([]byte, header.UDPMinimumSize+len(payload))
	header.UDP(u).Encode(&header.UDPFields{SrcPort: src.Port(), DstPort: dst.Port(), Length: uint16(len(u))})
	copy(u[header.UDPMinimumSize:], payload)
	sum := header.PseudoHeaderChecksum(header.UDPProtocolNumber, toTCPIP(src.Addr()), toTCPIP(dst.Addr()), uint16(len(u)))
	header.UDP(u).SetChecksum(^ether.Fold(ether.Sum(u, uint64(sum))))
	return u
}

// tcpSYN builds a TCP SYN with a correct checksum.
func tcpSYN(src, dst netip.AddrPort) []byte {
	t := make([]byte, header.TCPMinimumSize)
	header.TCP(t).Encode(&header.TCPFields{
		SrcPort: src.Port(), DstPort: dst.Port(), SeqNum: 1, DataOffset: header.TCPMinimumSize,
		Flags: header.TCPFlagSyn, WindowSize: 65535,
	})
	sum := header.PseudoHeaderChecksum(header.TCPProtocolNumber, toTCPIP(src.Addr()), toTCPIP(dst.Addr()), uint16(len(t)))
	header.TCP(t).SetChecksum(^ether.Fold(ether.Sum(t, uint64(sum))))
	return t
}

// routerAdvert builds an ICMPv6 router advertisement from src announcing
// prefix (on-link, autonomous) and one RDNSS server.
func routerAdvert(src netip.Addr, prefix netip.Prefix, dns netip.Addr) []byte {
	body := make([]byte, 0, 128)
	body = append(body, byte(header.ICMPv6RouterAdvert), 0, 0, 0) // type, code, checksum
	body = append(body, 64, 0)                                    // hop limit, flags
	body = binary.BigEndian.AppendUint16(body, 1800)              // router lifetime
	body = append(body, 0, 0, 0, 0, 0, 0, 0, 0)                   // reachable, retransmit
	// Prefix information: type 3, 4 units, prefix length, L|A.
	body = append(body, 3, 4, byte(prefix.Bits()), 0xc0)
	body = binary.BigEndian.AppendUint32(body, 86400) // valid
	body = binary.BigEndian.AppendUint32(body, 14400) // preferred
	body = append(body, 0, 0, 0, 0)
	pa := prefix.Masked().Addr().As16()
	body = append(body, pa[:]...)
	// RDNSS: type 25, 3 units, reserved, lifetime, one address.
	body = append(body, 25, 3, 0, 0)
	body = binary.BigEndian.AppendUint32(body, 3600)
	da := dns.As16()
	body = append(body, da[:]...)

	dst := netip.MustParseAddr("ff02::1")
	sum := header.PseudoHeaderChecksum(header.ICMPv6ProtocolNumber, toTCPIP(src), toTCPIP(dst), uint16(len(body)))
	binary.BigEndian.PutUint16(body[2:], ^ether.Fold(ether.Sum(body, uint64(sum))))
	return ipv6Packet(src, dst, uint8(header.ICMPv6ProtocolNumber), 255, body)
}
