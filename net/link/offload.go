package link

import (
	"encoding/binary"

	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/header"

	"warren.dev/drivers/ether"
)

// Software versions of the device offloads. The endpoint uses them when a
// device lacks one; device models (memnic) and drivers for hardware with
// gaps can use them too.

// CompleteChecksum does what a device does for a NeedsCsum frame: it sums
// frame[start:], whose checksum field at start+offset holds the
// pseudo-header seed, and stores the complement in that field.
func CompleteChecksum(frame []byte, start, offset int) {
	binary.BigEndian.PutUint16(frame[start+offset:], ^ether.Fold(ether.Sum(frame[start:], 0)))
}

// SegmentTCP cuts a GSO frame (flat, Ethernet header first) into frames
// carrying at most mss payload bytes, as a TSO device would: each segment
// gets a copy of the headers with the IP length and ID, the sequence
// number and the flags fixed up (FIN and PSH only on the last, CWR only on
// the first). With devCsum the TCP checksum is left for the device
// (NeedsCsum, seeded with the pseudo-header sum); otherwise it is computed.
//
// Segments are appended to out as two-slice frames: a header copy appended
// to scratch and a slice of frame. When scratch lacks room a new array is
// started, so slices handed out earlier stay valid. Nothing is appended if
// the frame is not a well-formed TCP segment.
func SegmentTCP(frame []byte, mss int, devCsum bool, scratch []byte, out []ether.Frame) ([]ether.Frame, []byte) {
	l3, l4, ok := tcpOffsets(frame)
	if !ok || mss <= 0 {
		return out, scratch
	}
	th := header.TCP(frame[l4:])
	hdrLen := l4 + int(th.DataOffset())
	payload := frame[hdrLen:]
	nseg := (len(payload) + mss - 1) / mss
	if nseg == 0 {
		nseg = 1
	}
	if need := nseg * hdrLen; cap(scratch)-len(scratch) < need {
		scratch = make([]byte, 0, max(need, 2*cap(scratch)))
	}

	seq := th.SequenceNumber()
	flags := th.Flags()
	var id uint16
	if frame[header.EthernetMinimumSize]>>4 == 4 {
		id = header.IPv4(frame[header.EthernetMinimumSize:]).ID()
	}
	for i := 0; i < nseg; i++ {
		chunk := payload[min(i*mss, len(payload)):min((i+1)*mss, len(payload))]
		start := len(scratch)
		scratch = append(scratch, frame[:hdrLen]...)
		h := scratch[start:]

		net := h[header.EthernetMinimumSize:]
		tcpLen := hdrLen - l4 + len(chunk)
		if net[0]>>4 == 4 {
			ip := header.IPv4(net)
			ip.SetTotalLength(uint16(l3 + tcpLen))
			ip.SetID(id + uint16(i))
			ip.SetChecksum(0)
			ip.SetChecksum(^ip.CalculateChecksum())
		} else {
			header.IPv6(net).SetPayloadLength(uint16(tcpLen))
		}

		t := header.TCP(h[l4:])
		t.SetSequenceNumber(seq + uint32(i*mss))
		f := flags
		if i > 0 {
			f &^= header.TCPFlagCwr
		}
		if i < nseg-1 {
			f &^= header.TCPFlagFin | header.TCPFlagPsh
		}
		t.SetFlags(uint8(f))

		src, dst := ipAddrs(net)
		seed := header.PseudoHeaderChecksum(header.TCPProtocolNumber, src, dst, uint16(tcpLen))
		fr := ether.Frame{Data: [][]byte{h, chunk}}
		if devCsum {
			t.SetChecksum(seed)
			fr.NeedsCsum = true
			fr.CsumStart = uint16(l4)
			fr.CsumOffset = header.TCPChecksumOffset
		} else {
			t.SetChecksum(0)
			sum := ether.Sum(chunk, ether.Sum(t[:hdrLen-l4], uint64(seed))) // the header's length is even
			t.SetChecksum(^ether.Fold(sum))
		}
		out = append(out, fr)
	}
	return out, scratch
}

// tcpOffsets finds where the IP and TCP headers of an Ethernet frame
// start: l3 is the IP header length, l4 the offset of the TCP header.
func tcpOffsets(frame []byte) (l3, l4 int, ok bool) {
	const eth = header.EthernetMinimumSize
	if len(frame) < eth+header.IPv4MinimumSize {
		return 0, 0, false
	}
	switch frame[eth] >> 4 {
	case 4:
		ip := header.IPv4(frame[eth:])
		l3 = int(ip.HeaderLength())
		if l3 < header.IPv4MinimumSize || ip.Protocol() != uint8(header.TCPProtocolNumber) {
			return 0, 0, false
		}
	case 6:
		if len(frame) < eth+header.IPv6MinimumSize || header.IPv6(frame[eth:]).NextHeader() != uint8(header.TCPProtocolNumber) {
			return 0, 0, false
		}
		l3 = header.IPv6MinimumSize
	default:
		return 0, 0, false
	}
	l4 = eth + l3
	if len(frame) < l4+header.TCPMinimumSize {
		return 0, 0, false
	}
	if off := int(header.TCP(frame[l4:]).DataOffset()); off < header.TCPMinimumSize || len(frame) < l4+off {
		return 0, 0, false
	}
	return l3, l4, true
}

// ipAddrs returns the source and destination of an IPv4 or IPv6 header.
func ipAddrs(net []byte) (src, dst tcpip.Address) {
	if net[0]>>4 == 4 {
		ip := header.IPv4(net)
		return ip.SourceAddress(), ip.DestinationAddress()
	}
	ip := header.IPv6(net)
	return ip.SourceAddress(), ip.DestinationAddress()
}
