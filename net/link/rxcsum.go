package link

import (
	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/header"

	"warren.dev/drivers/ether"
)

// With receive checksum offload, netstack trusts every frame of the link
// (it sets RXChecksumValidated from the link's capabilities, whatever the
// endpoint said of the frame). A frame the device did not check — a
// virtio-net frame with neither DATA_VALID nor NEEDS_CSUM, an e1000 frame
// the adapter did not verify — is checked here instead: the IPv4 header
// checksum, and the TCP or UDP checksum of an unfragmented packet. A
// fragment's transport checksum can only be checked after reassembly,
// which netstack then skips; such fragments are the remaining gap.

// csumValid reports whether the IP packet in frame (after the Ethernet
// header) has valid checksums, as far as one frame can tell. Packets it
// cannot parse are left to netstack, which drops and counts them.
func csumValid(pkt []byte, etherType uint16) bool {
	switch etherType {
	case uint16(header.IPv4ProtocolNumber):
		ip := header.IPv4(pkt)
		if !ip.IsValid(len(pkt)) {
			return true // malformed: netstack's to reject
		}
		if !ip.IsChecksumValid() {
			return false
		}
		if ip.More() || ip.FragmentOffset() != 0 {
			return true
		}
		payload := pkt[ip.HeaderLength():ip.TotalLength()]
		return transportValid(ip.TransportProtocol(), ip.SourceAddress(), ip.DestinationAddress(), payload, true)
	case uint16(header.IPv6ProtocolNumber):
		ip := header.IPv6(pkt)
		if !ip.IsValid(len(pkt)) {
			return true
		}
		// Extension headers (fragments among them) are netstack's to
		// walk; only TCP and UDP right after the fixed header are checked.
		payload := pkt[header.IPv6MinimumSize : header.IPv6MinimumSize+int(ip.PayloadLength())]
		return transportValid(ip.TransportProtocol(), ip.SourceAddress(), ip.DestinationAddress(), payload, false)
	}
	return true
}

// transportValid checks a TCP or UDP segment's checksum against its
// pseudo-header; other protocols are netstack's to check. A UDP checksum
// of 0 means none was sent, which IPv4 allows.
func transportValid(proto tcpip.TransportProtocolNumber, src, dst tcpip.Address, seg []byte, v4 bool) bool {
	switch proto {
	case header.TCPProtocolNumber:
		if len(seg) < header.TCPMinimumSize {
			return true
		}
	case header.UDPProtocolNumber:
		if len(seg) < header.UDPMinimumSize {
			return true
		}
		if v4 && header.UDP(seg).Checksum() == 0 {
			return true
		}
	default:
		return true
	}
	sum := header.PseudoHeaderChecksum(proto, src, dst, uint16(len(seg)))
	return ether.Fold(ether.Sum(seg, uint64(sum))) == 0xffff
}
