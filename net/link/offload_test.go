package link

import (
	"bytes"
	"testing"

	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/header"

	"warren.dev/drivers/ether"
)

// gsoFrame builds an Ethernet+IP+TCP frame with payload, its TCP checksum
// seeded with the pseudo-header sum the way netstack leaves it for GSO.
func gsoFrame(v6 bool, payload []byte, flags header.TCPFlags) []byte {
	src4, dst4 := tcpip.AddrFrom4([4]byte{10, 0, 0, 1}), tcpip.AddrFrom4([4]byte{10, 0, 0, 2})
	src6 := tcpip.AddrFrom16([16]byte{0xfd, 15: 1})
	dst6 := tcpip.AddrFrom16([16]byte{0xfd, 15: 2})
	l3 := header.IPv4MinimumSize
	if v6 {
		l3 = header.IPv6MinimumSize
	}
	tcpLen := header.TCPMinimumSize + len(payload)
	f := make([]byte, header.EthernetMinimumSize+l3+tcpLen)
	typ := header.IPv4ProtocolNumber
	if v6 {
		typ = header.IPv6ProtocolNumber
	}
	header.Ethernet(f).Encode(&header.EthernetFields{Type: typ})
	net := f[header.EthernetMinimumSize:]
	src, dst := src4, dst4
	if v6 {
		src, dst = src6, dst6
		header.IPv6(net).Encode(&header.IPv6Fields{PayloadLength: uint16(tcpLen), TransportProtocol: header.TCPProtocolNumber, HopLimit: 64, SrcAddr: src, DstAddr: dst})
	} else {
		ip := header.IPv4(net)
		ip.Encode(&header.IPv4Fields{TotalLength: uint16(l3 + tcpLen), ID: 100, TTL: 64, Protocol: uint8(header.TCPProtocolNumber), SrcAddr: src, DstAddr: dst})
		ip.SetChecksum(^ip.CalculateChecksum())
	}
	tcp := header.TCP(net[l3:])
	tcp.Encode(&header.TCPFields{SrcPort: 1, DstPort: 2, SeqNum: 1000, AckNum: 5, DataOffset: header.TCPMinimumSize, Flags: flags, WindowSize: 100})
	copy(tcp[header.TCPMinimumSize:], payload)
	tcp.SetChecksum(header.PseudoHeaderChecksum(header.TCPProtocolNumber, src, dst, uint16(tcpLen)))
	return f
}

func TestSegmentTCP(t *testing.T) {
	payload := make([]byte, 10_000)
	for i := range payload {
		payload[i] = byte(i * 7)
	}
	for _, v6 := range []bool{false, true} {
		for _, devCsum := range []bool{false, true} {
			f := gsoFrame(v6, payload, header.TCPFlagAck|header.TCPFlagPsh|header.TCPFlagFin)
			segs, _ := SegmentTCP(f, 1448, devCsum, nil, nil)
			if len(segs) != 7 {
				t.Fatalf("v6=%v: %d segments, want 7", v6, len(segs))
			}
			var got []byte
			for i, s := range segs {
				b := make([]byte, s.Len())
				s.CopyTo(b)
				if s.NeedsCsum != devCsum {
					t.Fatalf("NeedsCsum = %v", s.NeedsCsum)
				}
				if devCsum {
					CompleteChecksum(b, int(s.CsumStart), int(s.CsumOffset))
				}
				net := b[header.EthernetMinimumSize:]
				var tcp header.TCP
				var src, dst tcpip.Address
				if v6 {
					ip := header.IPv6(net)
					if int(ip.PayloadLength()) != len(net)-header.IPv6MinimumSize {
						t.Errorf("segment %d: IPv6 payload length %d", i, ip.PayloadLength())
					}
					tcp, src, dst = header.TCP(ip.Payload()), ip.SourceAddress(), ip.DestinationAddress()
				} else {
					ip := header.IPv4(net)
					if !ip.IsChecksumValid() || int(ip.TotalLength()) != len(net) || ip.ID() != uint16(100+i) {
						t.Errorf("segment %d: IPv4 header %v len %d id %d", i, ip.IsChecksumValid(), ip.TotalLength(), ip.ID())
					}
					tcp, src, dst = header.TCP(ip.Payload()), ip.SourceAddress(), ip.DestinationAddress()
				}
				sum := header.PseudoHeaderChecksum(header.TCPProtocolNumber, src, dst, uint16(len(tcp)))
				if ether.Fold(ether.Sum(tcp, uint64(sum))) != 0xffff {
					t.Errorf("v6=%v devCsum=%v segment %d: bad TCP checksum", v6, devCsum, i)
				}
				if tcp.SequenceNumber() != uint32(1000+i*1448) {
					t.Errorf("segment %d: seq %d", i, tcp.SequenceNumber())
				}
				last := i == len(segs)-1
				if fin := tcp.Flags().Contains(header.TCPFlagFin | header.TCPFlagPsh); fin != last {
					t.Errorf("segment %d: FIN|PSH = %v", i, fin)
				}
				got = append(got, tcp.Payload()...)
			}
			if !bytes.Equal(got, payload) {
				t.Errorf("v6=%v: payload differs after segmentation", v6)
			}
		}
	}
}

func TestSegmentTCPRejectsJunk(t *testing.T) {
	for _, f := range [][]byte{nil, make([]byte, 20), make([]byte, 60)} {
		if segs, _ := SegmentTCP(f, 1000, false, nil, nil); len(segs) != 0 {
			t.Errorf("segmented %d bytes of junk into %d frames", len(f), len(segs))
		}
	}
}
