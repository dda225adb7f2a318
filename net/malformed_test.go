package net

import (
	"math/rand/v2"
	"net/netip"
	"testing"
	"time"

	"gvisor.dev/gvisor/pkg/tcpip/header"

	"warren.dev/drivers/ether"
	"warren.dev/net/link"
	"warren.dev/net/link/memnic"
)

// TestMalformedFrames feeds a stack broken frames from a raw NIC: each is
// dropped and counted, and the stack keeps working.
func TestMalformedFrames(t *testing.T) {
	na, raw := memnic.Pair(memnic.Options{}, memnic.Options{})
	defer raw.Close()
	a, err := Start(staticConfig(addrA, addrA6), []link.NIC{na})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	pc, err := a.ListenUDP(netip.MustParseAddrPort("0.0.0.0:53"))
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	ln, err := a.ListenTCP(netip.MustParseAddrPort("0.0.0.0:80"))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()

	peer := netip.MustParseAddr("10.0.0.9")
	peer6 := netip.MustParseAddr("fd00::9")
	src, dst := raw.MAC(), na.MAC()
	from := netip.AddrPortFrom(peer, 1000)
	to := netip.AddrPortFrom(addrA, 53)
	good := ipv4Packet(peer, addrA, uint8(header.UDPProtocolNumber), udpSegment(from, to, []byte("good")))
	send := func(frames ...[]byte) {
		t.Helper()
		fs := make([]ether.Frame, len(frames))
		for i, f := range frames {
			fs[i] = ether.Frame{Data: [][]byte{f}}
		}
		if _, err := raw.Transmit(fs); err != nil {
			t.Fatal(err)
		}
	}
	flip := func(b []byte, i int) []byte {
		c := append([]byte(nil), b...)
		c[i] ^= 0x40
		return c
	}

	badUDP := udpSegment(from, to, []byte("bad checksum"))
	badUDP[len(badUDP)-1] ^= 1
	badTCP := tcpSYN(netip.AddrPortFrom(peer, 1000), netip.AddrPortFrom(addrA, 80))
	badTCP[header.TCPChecksumOffset] ^= 1
	send(
		[]byte{1, 2, 3}, // shorter than an Ethernet header
		make([]byte, 1500+header.EthernetMinimumSize+100),               // longer than the MTU allows
		ethFrame(dst, src, header.IPv4ProtocolNumber, good[:12]),        // truncated IPv4 header
		ethFrame(dst, src, header.IPv4ProtocolNumber, good[:30]),        // total length past the end
		ethFrame(dst, src, header.IPv4ProtocolNumber, flip(good, 10)),   // bad IPv4 header checksum
		ethFrame(dst, src, header.IPv6ProtocolNumber, make([]byte, 20)), // truncated IPv6 header
		ethFrame(dst, src, header.ARPProtocolNumber, make([]byte, 10)),  // truncated ARP
		ethFrame(dst, src, header.IPv4ProtocolNumber, ipv4Packet(peer, addrA, uint8(header.UDPProtocolNumber), badUDP)),
		ethFrame(dst, src, header.IPv4ProtocolNumber, ipv4Packet(peer, addrA, uint8(header.TCPProtocolNumber), badTCP)),
		ethFrame(dst, src, header.IPv4ProtocolNumber, ipv4Packet(peer, addrA, uint8(header.TCPProtocolNumber), badTCP[:10])), // truncated TCP
		ethFrame(dst, src, header.IPv6ProtocolNumber, ipv6Packet(peer6, addrA6, uint8(header.UDPProtocolNumber), 64, badUDP[:5])),
		ethFrame([6]byte{2, 9, 9, 9, 9, 9}, src, header.IPv4ProtocolNumber, good), // another station's
	)

	// Random garbage behind a valid Ethernet header, of every type.
	r := rand.New(rand.NewPCG(1, 2))
	types := []uint16{uint16(header.IPv4ProtocolNumber), uint16(header.IPv6ProtocolNumber), uint16(header.ARPProtocolNumber), 0x88cc}
	for range 2000 {
		body := make([]byte, r.IntN(200))
		for i := range body {
			body[i] = byte(r.Uint32())
		}
		if len(body) > 0 && r.IntN(2) == 0 { // a plausible version nibble
			body[0] = byte(0x40 | r.IntN(16))
		}
		send(ethFrame(dst, src, 0, body))
		f := ethFrame(dst, src, 0, body)
		f[12], f[13] = byte(types[r.IntN(len(types))]>>8), byte(types[r.IntN(len(types))])
		send(f)
	}

	// The stack still works: a good datagram arrives.
	send(ethFrame(dst, src, header.IPv4ProtocolNumber, good))
	pc.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 100)
	n, _, err := pc.ReadFrom(buf)
	if err != nil || string(buf[:n]) != "good" {
		t.Fatalf("good datagram after garbage: %q, %v", buf[:n], err)
	}

	waitFor(t, "counters", func() bool {
		st := a.Stats()
		return st.NICs[1].Link.RxMalformed >= 2 && st.UDP.ChecksumErrors >= 1 && st.TCP.ChecksumErrors >= 1
	})
	st := a.Stats()
	l := st.NICs[1].Link
	t.Logf("link: %+v", l)
	t.Logf("ip: %+v", st.IP)
	t.Logf("tcp checksum errors %d, invalid %d; udp checksum errors %d, malformed %d; arp malformed %d",
		st.TCP.ChecksumErrors, st.TCP.InvalidSegments, st.UDP.ChecksumErrors, st.UDP.Malformed, st.ARP.Malformed)
	if l.RxMalformed != 2 {
		t.Errorf("link malformed = %d, want 2", l.RxMalformed)
	}
	if l.RxDropped != 1 {
		t.Errorf("link dropped (other station) = %d, want 1", l.RxDropped)
	}
	if st.IP.MalformedPacketsReceived < 4 {
		t.Errorf("IP malformed = %d, want at least 4", st.IP.MalformedPacketsReceived)
	}
	if st.UDP.ChecksumErrors < 1 || st.TCP.ChecksumErrors < 1 {
		t.Errorf("checksum errors: UDP %d, TCP %d", st.UDP.ChecksumErrors, st.TCP.ChecksumErrors)
	}
	if st.ARP.Malformed < 1 {
		t.Errorf("ARP malformed = %d", st.ARP.Malformed)
	}
}

// waitFor polls cond for up to 10 seconds.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
