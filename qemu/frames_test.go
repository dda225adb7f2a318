package qemu_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"warren.dev/qemu"
)

// frameCopies is how many times each frame of a class is sent.
const frameCopies = 10

// frameClass is one kind of broken input.
type frameClass struct {
	name   string
	frames [][]byte
	// want are the counters (warren.stats names) that must grow by at
	// least the given amount for each copy of the class sent; wantNIC
	// adds those of one NIC model, whose device model or driver sees
	// what the other's does not.
	want    map[string]uint64
	wantNIC map[string]map[string]uint64
	// note says what a counter does not show: why a class, or one NIC's
	// share of it, has none to check.
	note string
}

// TestHostileFrames sends the guest, through each NIC model, classes of
// broken frames from the host side of the tap device, each class
// followed by a fetch of the page on a new connection that must succeed,
// and checks that the guest counted what it dropped where a counter
// exists. net/malformed_test.go feeds the stack alone such frames; this
// is the same end to end, through QEMU's device models, the drivers and
// the link layer.
func TestHostileFrames(t *testing.T) {
	for _, model := range nicModels {
		t.Run(model, func(t *testing.T) {
			ns := newNetns(t, "ping")
			// Room on the host side for the oversized frames: the guest
			// still says 1500, so no well-formed traffic grows.
			if out, err := ns.Run("ip", "link", "set", qemu.TapDevice, "mtu", "9000"); err != nil {
				t.Fatalf("raising the tap device's MTU: %v\n%s", err, out)
			}
			g := startHostileGuest(t, ns, model, 0)
			// The IPv6 classes need the guest's address past duplicate
			// address detection, or they are dropped as not its own.
			for start := time.Now(); ; {
				out, err := ns.Run("ping", "-c", "1", "-W", "1", guestIP6.String())
				if err == nil {
					break
				}
				if time.Since(start) > time.Minute {
					t.Fatalf("ping %v: %v\n%s", guestIP6, err, out)
				}
			}
			sock, err := ns.TapSocket(0)
			if err != nil {
				t.Fatal(err)
			}
			defer sock.Close()
			for _, c := range frameClasses() {
				before, err := g.counters()
				if err != nil {
					t.Fatalf("counters before %s: %v", c.name, err)
				}
				for range frameCopies {
					if err := sendFrames(context.Background(), sock, c.frames...); err != nil {
						t.Fatalf("%s: %v", c.name, err)
					}
				}
				start := time.Now()
				if err := g.fetchPage(10 * time.Second); err != nil {
					t.Errorf("%s: the page after %d frames: %v", c.name, frameCopies*len(c.frames), err)
					g.evidence(t)
					return
				}
				took := time.Since(start)
				after, err := g.counters()
				if err != nil {
					t.Fatalf("counters after %s: %v", c.name, err)
				}
				moved := delta(after, before)
				want := map[string]uint64{}
				for _, m := range []map[string]uint64{c.want, c.wantNIC[model]} {
					for k, n := range m {
						want[k] += n * frameCopies
					}
				}
				for k, n := range want {
					if moved[k] < n {
						t.Errorf("%s: %s grew by %d, want at least %d", c.name, k, moved[k], n)
					}
				}
				t.Logf("%s: %d frames, page in %v; %s", c.name, frameCopies*len(c.frames), took.Round(time.Millisecond), dropCounters(moved))
				if c.note != "" {
					t.Logf("    %s", c.note)
				}
			}
			checkKernelHealthy(t, g.output())
		})
	}
}

// dropCounters lists the counters that say something was refused,
// dropped or broken, with how much they moved.
func dropCounters(moved map[string]uint64) string {
	var out []string
	for k, v := range moved {
		for _, s := range []string{"Malformed", "Invalid", "Checksum", "Drop", "Error", "Unknown", "Csum", "Length"} {
			if strings.Contains(k, s) {
				out = append(out, fmt.Sprintf("%s +%d", strings.TrimPrefix(k, "netstack."), v))
				break
			}
		}
	}
	slices.Sort(out)
	if len(out) == 0 {
		return "no drop counted"
	}
	return strings.Join(out, ", ")
}

const (
	etherIPv6 = 0x86dd
	protoICMP = 1
	protoUDP  = 17
)

var guestIP6 = netip.MustParseAddr("fd00:3::2")

// frameClasses are the broken inputs, each built on a well-formed packet
// from a spoofed address of the namespace's subnet.
func frameClasses() []frameClass {
	src, mac := spoofed(0)
	src6 := netip.MustParseAddr("fd00:3::10")
	from := netip.AddrPortFrom(src, 40000)
	to80 := netip.AddrPortFrom(guestIP, 80)
	to9 := netip.AddrPortFrom(guestIP, 9) // no one listens
	eth4 := func(p []byte) []byte { return ethFrame(guestMAC, mac, etherIPv4, p) }
	eth6 := func(p []byte) []byte { return ethFrame(guestMAC, mac, etherIPv6, p) }
	syn := tcpSegment(from, to80, 1, 0, tcpSYN, nil)
	ip4 := func(proto byte, p []byte) []byte { return ipv4Packet(src, guestIP, proto, 7, p) }
	synPkt := ip4(protoTCP, syn)
	dgram := udpDatagram(from, to9, make([]byte, 32))
	// mangle4 changes a copy of an IPv4 packet and makes its header
	// checksum right again, so that the change is what is wrong.
	mangle4 := func(pkt []byte, fn func(p []byte)) []byte {
		p := slices.Clone(pkt)
		fn(p)
		if ihl := int(p[0]&0xf) * 4; ihl >= 20 && ihl <= len(p) {
			binary.BigEndian.PutUint16(p[10:], 0)
			binary.BigEndian.PutUint16(p[10:], checksum(0, p[:ihl]))
		}
		return p
	}
	// fragment is a piece of a UDP datagram's IPv4 packet, at offset
	// (bytes, a multiple of 8).
	fragment := func(id uint16, offset int, more bool, payload []byte) []byte {
		return mangle4(ipv4Packet(src, guestIP, protoUDP, id, payload), func(p []byte) {
			v := uint16(offset / 8)
			if more {
				v |= 1 << 13
			}
			binary.BigEndian.PutUint16(p[6:], v)
		})
	}
	// tcpMangled is a SYN to port 80 changed by fn, its checksum right.
	tcpMangled := func(flags byte, fn func(s []byte)) []byte {
		s := tcpSegment(from, to80, 1, 0, flags, nil)
		fn(s)
		binary.BigEndian.PutUint16(s[16:], 0)
		binary.BigEndian.PutUint16(s[16:], checksum(pseudoSum(src, guestIP, protoTCP, len(s)), s))
		return eth4(ip4(protoTCP, s))
	}
	flip := func(b []byte, i int) []byte {
		c := slices.Clone(b)
		c[i] ^= 0x5a
		return c
	}
	udpLen := func(n uint16) []byte {
		d := slices.Clone(dgram)
		binary.BigEndian.PutUint16(d[4:], n)
		binary.BigEndian.PutUint16(d[6:], 0) // no checksum: the length is what is wrong
		return eth4(ip4(protoUDP, d))
	}
	arp := arpPacket(1, mac, src, [6]byte{}, guestIP)
	echo := []byte{8, 0, 0, 0, 0, 1, 0, 1, 'w', 'a', 'r', 'r', 'e', 'n'}
	binary.BigEndian.PutUint16(echo[2:], checksum(0, echo))
	udp6 := udpDatagram(netip.AddrPortFrom(src6, 40000), netip.AddrPortFrom(guestIP6, 9), make([]byte, 16))
	ip6 := ipv6Packet(src6, guestIP6, protoUDP, udp6)
	big := func(n int) []byte { return eth4(ip4(protoUDP, udpDatagram(from, to9, make([]byte, n-14-20-8)))) }

	const (
		ipMalformed   = "netstack.IP.MalformedPacketsReceived"
		fragMalformed = "netstack.IP.MalformedFragmentsReceived"
		arpMalformed  = "netstack.ARP.MalformedPacketsReceived"
	)
	// The device did not check these frames' checksums, so the link
	// endpoint does (net/link/rxcsum.go).
	const badChecksum = "nic.eth0.link.RxBadChecksum"
	return []frameClass{
		{name: "Ethernet header alone (IPv4, IPv6, ARP)",
			frames: [][]byte{eth4(nil), eth6(nil), ethFrame(guestMAC, mac, etherARP, nil)},
			want:   map[string]uint64{ipMalformed: 2, arpMalformed: 1}},
		{name: "IPv4 header length below 20 and past the packet",
			frames: [][]byte{
				eth4(mangle4(synPkt, func(p []byte) { p[0] = 0x44 })),
				eth4(mangle4(synPkt, func(p []byte) { p[0] = 0x4f })),
			},
			want: map[string]uint64{ipMalformed: 2}},
		{name: "IPv4 header checksum",
			frames: [][]byte{eth4(flip(synPkt, 10))},
			want:   map[string]uint64{badChecksum: 1}},
		{name: "IPv4 total length past the frame and below the header",
			frames: [][]byte{
				eth4(mangle4(synPkt, func(p []byte) { binary.BigEndian.PutUint16(p[2:], 1400) })),
				eth4(mangle4(synPkt, func(p []byte) { binary.BigEndian.PutUint16(p[2:], 12) })),
			},
			want: map[string]uint64{ipMalformed: 2}},
		{name: "IPv4 version 5 and 6 under the IPv4 EtherType",
			frames: [][]byte{
				eth4(mangle4(synPkt, func(p []byte) { p[0] = 0x55 })),
				eth4(mangle4(synPkt, func(p []byte) { p[0] = 0x65 })),
			},
			want: map[string]uint64{ipMalformed: 2}},
		{name: "IPv4 options with bad lengths",
			frames: [][]byte{
				// A timestamp option claiming 40 bytes in a 4-byte room,
				// and one claiming 1.
				eth4(mangle4(ipv4Packet(src, guestIP, protoTCP, 7, append([]byte{0x44, 40, 5, 0}, syn...)), func(p []byte) {
					p[0] = 0x46
				})),
				eth4(mangle4(ipv4Packet(src, guestIP, protoTCP, 7, append([]byte{0x44, 1, 0, 0}, syn...)), func(p []byte) {
					p[0] = 0x46
				})),
			},
			want: map[string]uint64{ipMalformed: 2}},
		{name: "IPv4 fragments overlapping, past 64 KiB, empty",
			frames: [][]byte{
				eth4(fragment(100, 0, true, dgram[:24])), // taken: the overlap is the next one
				eth4(fragment(100, 16, false, dgram[16:40])),
				eth4(fragment(101, 65528, false, make([]byte, 16))),
				eth4(fragment(102, 8, true, nil)),
			},
			want: map[string]uint64{fragMalformed: 3, ipMalformed: 3}},
		{name: "TCP data offset below 20 and past the segment",
			frames: [][]byte{
				tcpMangled(tcpSYN, func(s []byte) { s[12] = 4 << 4 }),
				tcpMangled(tcpSYN, func(s []byte) { s[12] = 15 << 4 }),
			},
			want: map[string]uint64{"netstack.TCP.InvalidSegmentsReceived": 2}},
		{name: "TCP checksum",
			frames: [][]byte{eth4(ip4(protoTCP, flip(syn, 16)))},
			want:   map[string]uint64{badChecksum: 1}},
		{name: "TCP flag combinations (SYN+FIN, SYN+RST, none, all) to a listener and a closed port",
			frames: [][]byte{
				tcpMangled(tcpSYN|tcpFIN, func([]byte) {}),
				tcpMangled(tcpSYN|tcpRST, func([]byte) {}),
				tcpMangled(0, func([]byte) {}),
				tcpMangled(0x3f, func([]byte) {}),
				tcpMangled(tcpSYN|tcpFIN, func(s []byte) { binary.BigEndian.PutUint16(s[2:], 1) }),
			},
			note: "netstack drops these without a counter of their own"},
		{name: "UDP length past the datagram and below its header",
			frames: [][]byte{udpLen(200), udpLen(4)},
			want:   map[string]uint64{"netstack.UDP.MalformedPacketsReceived": 2}},
		{name: "UDP checksum",
			frames: [][]byte{eth4(ip4(protoUDP, flip(dgram, 7)))},
			want:   map[string]uint64{badChecksum: 1}},
		{name: "ICMP echo request with a bad checksum, and truncated",
			frames: [][]byte{eth4(ip4(protoICMP, flip(echo, 2))), eth4(ip4(protoICMP, echo[:3]))},
			want:   map[string]uint64{"netstack.ICMP.V4.PacketsReceived.Invalid": 2}},
		{name: "ARP with a bad hardware type, address sizes, operation; truncated",
			frames: [][]byte{
				ethFrame(guestMAC, mac, etherARP, append([]byte{0, 6}, arp[2:]...)),
				ethFrame(guestMAC, mac, etherARP, append(slices.Clone(arp[:4]), append([]byte{2, 16}, arp[6:]...)...)),
				ethFrame(guestMAC, mac, etherARP, append(slices.Clone(arp[:6]), append([]byte{0, 99}, arp[8:]...)...)),
				ethFrame(guestMAC, mac, etherARP, arp[:20]),
			},
			want:    map[string]uint64{arpMalformed: 2},
			wantNIC: map[string]map[string]uint64{"virtio-net-pci": {arpMalformed: 1}},
			note: "an unknown operation is dropped uncounted; QEMU's e1000 pads the truncated one to 60 bytes, " +
				"which makes it a request for 0.0.0.0"},
		{name: "IPv6 payload length past the frame, and a header cut short",
			frames: [][]byte{
				eth6(func() []byte { p := slices.Clone(ip6); binary.BigEndian.PutUint16(p[4:], 1000); return p }()),
				eth6(ip6[:30]),
			},
			want: map[string]uint64{ipMalformed: 2}},
		{name: "IPv6 hop-by-hop header past the packet",
			frames: [][]byte{eth6(ipv6Packet(src6, guestIP6, 0, append([]byte{protoUDP, 200, 1, 4, 0, 0, 0, 0}, udp6...)))},
			want:   map[string]uint64{ipMalformed: 1}},
		{name: "oversized frames (1515, 1600 and 9000 bytes)",
			frames:  [][]byte{big(1515), big(1600), big(9000)},
			wantNIC: map[string]map[string]uint64{"virtio-net-pci": {"nic.eth0.driver.RX.Dropped": 3}},
			note: "QEMU's e1000 discards frames over 1522 bytes (no long-packet mode) before the driver sees them, " +
				"and 1515 is within the VLAN tag and FCS the link layer allows"},
		{name: "frames for another station",
			frames:  [][]byte{ethFrame([6]byte{0x02, 0, 0, 0, 0, 0x99}, mac, etherIPv4, synPkt)},
			wantNIC: map[string]map[string]uint64{"virtio-net-pci": {"nic.eth0.link.RxDropped": 1}},
			note:    "QEMU's e1000 filters them by its receive address; its virtio-net is promiscuous until told otherwise"},
		{name: "VLAN-tagged frames and unknown EtherTypes",
			frames: [][]byte{
				ethFrame(guestMAC, mac, 0x8100, append([]byte{0, 5, 8, 0}, synPkt...)),
				ethFrame(guestMAC, mac, 0x88cc, make([]byte, 46)),
				ethFrame(guestMAC, mac, 0x0000, make([]byte, 46)),
			},
			note: "netstack counts unknown EtherTypes per type, which warren.stats does not list"},
	}
}

// ipv6Packet is a well-formed IPv6 packet with hop limit 64.
func ipv6Packet(src, dst netip.Addr, next byte, payload []byte) []byte {
	h := make([]byte, 40, 40+len(payload))
	h[0] = 0x60
	binary.BigEndian.PutUint16(h[4:], uint16(len(payload)))
	h[6], h[7] = next, 64
	copy(h[8:], src.AsSlice())
	copy(h[24:], dst.AsSlice())
	return append(h, payload...)
}

// udpDatagram is a UDP datagram from src to dst with a correct checksum.
func udpDatagram(src, dst netip.AddrPort, payload []byte) []byte {
	d := make([]byte, 8, 8+len(payload))
	binary.BigEndian.PutUint16(d[0:], src.Port())
	binary.BigEndian.PutUint16(d[2:], dst.Port())
	binary.BigEndian.PutUint16(d[4:], uint16(8+len(payload)))
	d = append(d, payload...)
	binary.BigEndian.PutUint16(d[6:], checksum(pseudoSum(src.Addr(), dst.Addr(), protoUDP, len(d)), d))
	return d
}
