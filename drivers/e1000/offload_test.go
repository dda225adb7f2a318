package e1000

import (
	"bytes"
	"encoding/binary"
	"testing"
	"time"

	"warren.dev/drivers/e1000/e1000test"
	"warren.dev/drivers/ether"
)

func TestTransmitChecksumOffload(t *testing.T) {
	r := newRig(t, e1000test.Config{}, Options{})
	mk := func(ip []byte, et uint16) []byte { return eth(peerMAC, testMAC, et, ip) }
	frames := [][]byte{
		mk(ipv4(6, tcp(100, 0x18, pattern(500)), 16, false), 0x0800),
		mk(ipv4(6, tcp(200, 0x18, pattern(501)), 16, false), 0x0800), // same context
		mk(ipv4(17, udp(pattern(99)), 6, false), 0x0800),
		mk(ipv6(6, tcp(300, 0x10, pattern(1000)), 16, false), 0x86DD),
		mk(ipv6(17, udp(pattern(3)), 6, false), 0x86DD),
	}
	var batch []ether.Frame
	for _, f := range frames {
		f = bytes.Clone(f)
		start, off, ok := SeedChecksum(f)
		if !ok {
			t.Fatalf("SeedChecksum refused %x", f[:40])
		}
		batch = append(batch, ether.Frame{Data: [][]byte{f}, NeedsCsum: true, CsumStart: start, CsumOffset: off})
	}
	if n, err := r.d.Transmit(batch); n != len(batch) || err != nil {
		t.Fatalf("Transmit = %d, %v", n, err)
	}
	if !r.m.WaitSent(len(frames), 5*time.Second) {
		t.Fatal("not sent")
	}
	for i, got := range r.m.Sent() {
		checkIP(t, got)
		// Apart from the checksum field the frame is what was given.
		want := frames[i]
		if len(got) != len(want) {
			t.Errorf("frame %d: %d bytes, want %d", i, len(got), len(want))
		}
	}
	if c := r.m.Counts(); c.Contexts != 4 {
		t.Errorf("%d context descriptors for 4 distinct offsets", c.Contexts)
	}
}

func TestTransmitIPHeaderChecksum(t *testing.T) {
	r := newRig(t, e1000test.Config{}, Options{})
	f := eth(peerMAC, testMAC, 0x0800, ipv4(17, udp(pattern(40)), 6, false))
	binary.BigEndian.PutUint16(f[14+10:], 0xBEEF) // a wrong IP checksum
	start, off, _ := SeedChecksum(f)
	// Over an 802.1Q tag too.
	tagged := append(append(bytes.Clone(f[:12]), 0x81, 0x00, 0x00, 0x07), f[12:]...)
	binary.BigEndian.PutUint16(tagged[18+10:], 0)
	in := []ether.Frame{
		{Data: [][]byte{f}, NeedsCsum: true, CsumStart: start, CsumOffset: off, NeedsIPCsum: true},
		{Data: [][]byte{tagged}, NeedsIPCsum: true},
	}
	if n, err := r.d.Transmit(in); n != 2 || err != nil {
		t.Fatalf("Transmit = %d, %v", n, err)
	}
	if !r.m.WaitSent(2, 5*time.Second) {
		t.Fatal("not sent")
	}
	sent := r.m.Sent()
	checkIP(t, sent[0])
	if csum(sent[1][18:38], 0) != 0xFFFF {
		t.Errorf("tagged frame: bad IPv4 header checksum")
	}
	if binary.BigEndian.Uint16(f[14+10:]) != 0xBEEF {
		t.Error("Transmit changed the caller's frame")
	}
}

// TUCSS and TUCSO are 8 bits: a checksum further in is done in software.
func TestTransmitChecksumFarOffset(t *testing.T) {
	r := newRig(t, e1000test.Config{}, Options{})
	f := numbered(peerMAC, 0, 600)
	binary.BigEndian.PutUint16(f[306:], 0x1234) // seed
	in := []ether.Frame{{Data: [][]byte{f}, NeedsCsum: true, CsumStart: 300, CsumOffset: 6}}
	if n, err := r.d.Transmit(in); n != 1 || err != nil {
		t.Fatalf("Transmit = %d, %v", n, err)
	}
	if !r.m.WaitSent(1, 5*time.Second) {
		t.Fatal("not sent")
	}
	got := r.m.Sent()[0]
	// The device's rule: the sum of the region, seed included, complemented.
	want := bytes.Clone(f)
	binary.BigEndian.PutUint16(want[306:], ^csum(f[300:], 0))
	if !bytes.Equal(got, want) {
		t.Errorf("checksum %#04x, want %#04x", binary.BigEndian.Uint16(got[306:]), binary.BigEndian.Uint16(want[306:]))
	}
	if c := r.m.Counts(); c.Contexts != 0 {
		t.Errorf("%d context descriptors", c.Contexts)
	}
}

func TestTSO(t *testing.T) {
	r := newRig(t, e1000test.Config{}, Options{})
	if !r.d.Features().Has(ether.FeatureTSO4 | ether.FeatureTXCsum | ether.FeatureRXCsum) {
		t.Fatalf("features %b", r.d.Features())
	}
	const mss = 1448
	payload := pattern(20000)
	f := eth(peerMAC, testMAC, 0x0800, ipv4(6, tcp(1000, 0x19, payload), 16, false)) // PSH|FIN|ACK
	in := []ether.Frame{
		{Data: [][]byte{f[:30], f[30:5000], f[5000:]}, NeedsCsum: true, CsumStart: 34, CsumOffset: 16, GSOType: ether.GSOTCPv4, GSOSize: mss, HdrLen: 54},
		{Data: [][]byte{numbered(peerMAC, 1, 100)}}, // an ordinary frame after it
	}
	if n, err := r.d.Transmit(in); n != 2 || err != nil {
		t.Fatalf("Transmit = %d, %v", n, err)
	}
	segs := (len(payload) + mss - 1) / mss
	if !r.m.WaitSent(segs+1, 5*time.Second) {
		t.Fatalf("%d frames sent, want %d", len(r.m.Sent()), segs+1)
	}
	sent := r.m.Sent()
	var joined []byte
	for i, s := range sent[:segs] {
		checkIP(t, s)
		ip := s[14:]
		th := ip[20:]
		if id := binary.BigEndian.Uint16(ip[4:]); id != 0x1234+uint16(i) {
			t.Errorf("segment %d: IP ID %#x", i, id)
		}
		if seq := binary.BigEndian.Uint32(th[4:]); seq != 1000+uint32(i*mss) {
			t.Errorf("segment %d: seq %d", i, seq)
		}
		flags := th[13]
		if last := i == segs-1; (flags&0x09 != 0) != last || flags&0x10 == 0 {
			t.Errorf("segment %d: flags %#x", i, flags)
		}
		if len(th)-20 > mss {
			t.Errorf("segment %d: %d payload bytes", i, len(th)-20)
		}
		joined = append(joined, th[20:]...)
	}
	if !bytes.Equal(joined, payload) {
		t.Error("segments do not add up to the payload")
	}
	if seqOf(sent[segs]) != 1 {
		t.Error("the frame after the TSO frame is wrong")
	}
	eventually(t, "completions", func() bool { return r.d.Stats().TxPackets == 2 })
	if hs := r.d.HWStats(); hs.TSCTC != 1 || hs.GPTC != uint64(segs+1) {
		t.Errorf("TSCTC %d GPTC %d", hs.TSCTC, hs.GPTC)
	}
}

func TestTSONeedsRoom(t *testing.T) {
	r := newRig(t, e1000test.Config{}, Options{TxDescriptors: 32})
	if r.d.Features().Has(ether.FeatureTSO4) {
		t.Error("TSO offered with a 32-descriptor ring")
	}
	f := eth(peerMAC, testMAC, 0x0800, ipv4(6, tcp(1, 0x10, pattern(9000)), 16, false))
	if n, err := r.d.Transmit([]ether.Frame{{Data: [][]byte{f}, GSOType: ether.GSOTCPv4, GSOSize: 1000}}); n != 1 || err == nil {
		t.Errorf("Transmit = %d, %v", n, err)
	}
}

func TestSeedChecksum(t *testing.T) {
	for _, f := range [][]byte{
		eth(peerMAC, testMAC, 0x0800, ipv4(6, tcp(1, 0x10, pattern(333)), 16, true)),
		eth(peerMAC, testMAC, 0x0800, ipv4(17, udp(pattern(32)), 6, true)),
		eth(peerMAC, testMAC, 0x86DD, ipv6(6, tcp(1, 0x10, pattern(1)), 16, true)),
		eth(peerMAC, testMAC, 0x86DD, ipv6(17, udp(pattern(0)), 6, true)),
	} {
		// f has the right checksum; seeding, then finishing as the
		// device does (sum from start, seed included), gives it back.
		g := bytes.Clone(f)
		s, o, ok := SeedChecksum(g)
		if !ok {
			t.Fatalf("SeedChecksum refused %x", f[:40])
		}
		binary.BigEndian.PutUint16(g[s+o:], ^csum(g[s:], 0))
		if !bytes.Equal(g, f) {
			t.Errorf("seed then device sum = %x, want %x", g[s+o:s+o+2], f[s+o:s+o+2])
		}
	}
	for _, f := range [][]byte{
		eth(peerMAC, testMAC, 0x0806, pattern(28)),
		eth(peerMAC, testMAC, 0x0800, ipv4(1, pattern(8), 2, false)), // ICMP
		eth(peerMAC, testMAC, 0x0800, ipv4(6, tcp(1, 0x10, nil), 16, false))[:40],
	} {
		if _, _, ok := SeedChecksum(f); ok {
			t.Errorf("SeedChecksum accepted %x", f)
		}
	}
}

// Frames under the 60-byte minimum are padded by the driver, so their
// checksums are done in software: no context descriptor, and the device
// never sees a frame under 48 bytes.
func TestTransmitShortOffloaded(t *testing.T) {
	r := newRig(t, e1000test.Config{}, Options{})
	f := eth(peerMAC, testMAC, 0x0800, ipv4(17, udp(nil), 6, false)) // 42 bytes
	binary.BigEndian.PutUint16(f[24:], 0xBEEF)
	start, off, _ := SeedChecksum(f)
	in := []ether.Frame{{Data: [][]byte{f}, NeedsCsum: true, CsumStart: start, CsumOffset: off, NeedsIPCsum: true}}
	if n, err := r.d.Transmit(in); n != 1 || err != nil {
		t.Fatalf("Transmit = %d, %v", n, err)
	}
	if !r.m.WaitSent(1, 5*time.Second) {
		t.Fatal("not sent")
	}
	got := r.m.Sent()[0]
	if len(got) != 60 {
		t.Errorf("%d bytes on the wire, want 60", len(got))
	}
	checkIP(t, got[:len(f)])
	if c := r.m.Counts(); c.Contexts != 0 {
		t.Errorf("%d context descriptors", c.Contexts)
	}
}
