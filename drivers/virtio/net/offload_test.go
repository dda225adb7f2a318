package net

import (
	"testing"
	"time"

	"warren.dev/drivers/ether"
	"warren.dev/drivers/virtio/internal/devmodel"
)

// ipv4UDP builds an Ethernet/IPv4/UDP frame with a partial checksum: the
// UDP checksum field holds the pseudo-header sum, as a stack using
// checksum offload leaves it.
func ipv4UDP(payload int) (b []byte, csumStart, csumOffset uint16) {
	b = make([]byte, 14+20+8+payload)
	copy(b, []byte{2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00})
	ip := b[14:]
	ip[0], ip[9] = 0x45, 17
	ulen := 8 + payload
	ip[2], ip[3] = byte((20+ulen)>>8), byte(20+ulen)
	copy(ip[12:], []byte{10, 0, 0, 1, 10, 0, 0, 2})
	udp := ip[20:]
	udp[0], udp[1], udp[2], udp[3] = 0x30, 0x39, 0x00, 0x35
	udp[4], udp[5] = byte(ulen>>8), byte(ulen)
	for i := range payload {
		udp[8+i] = byte(i*7 + 3)
	}
	s := ether.Fold(ether.Sum([]byte{0, 17, byte(ulen >> 8), byte(ulen)}, ether.Sum(ip[12:20], 0)))
	udp[6], udp[7] = byte(s>>8), byte(s)
	return b, 34, 6
}

// verifyUDP checks the UDP checksum over pseudo-header and datagram.
func verifyUDP(b []byte) bool {
	ip := b[14:]
	udp := ip[20:]
	var c ether.Summer
	c.Add(ip[12:20])
	c.Add([]byte{0, 17, udp[4], udp[5]})
	c.Add(udp)
	s := c.Fold()
	return s == 0xffff
}

func TestTransmitChecksumOffload(t *testing.T) {
	b, start, off := ipv4UDP(1000)
	// Offloaded: the header carries the request, the frame is unchanged.
	e := openEnv(t, opts{})
	f := ether.Frame{Data: [][]byte{b[:20], b[20:]}, NeedsCsum: true, CsumStart: start, CsumOffset: off}
	if n, err := e.d.Transmit([]ether.Frame{f}); n != 1 || err != nil {
		t.Fatal(n, err)
	}
	got, err := e.m.WaitSent(1, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if h := got[0].Hdr; h.Flags != devmodel.HdrNeedsCsum || h.CsumStart != start || h.CsumOffset != off {
		t.Errorf("header %+v", h)
	}
	checkSent(t, got, [][]byte{b})

	// Without VIRTIO_NET_F_CSUM the driver completes the checksum, for
	// odd and even lengths and with chunks splitting the datagram.
	for _, payload := range []int{0, 1, 999, 1000, 1458} {
		e := openEnv(t, opts{disable: FCsum, bufferSize: 128})
		b, start, off := ipv4UDP(payload)
		f := ether.Frame{Data: [][]byte{b[:33], b[33:]}, NeedsCsum: true, CsumStart: start, CsumOffset: off}
		if n, err := e.d.Transmit([]ether.Frame{f}); n != 1 || err != nil {
			t.Fatal(n, err)
		}
		got, err := e.m.WaitSent(1, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if got[0].Hdr.Flags != 0 {
			t.Errorf("flags %#x without CSUM", got[0].Hdr.Flags)
		}
		if !verifyUDP(got[0].Data) {
			t.Errorf("payload %d: software checksum wrong: % x", payload, got[0].Data[40:42])
		}
	}
}

func TestTransmitGSO(t *testing.T) {
	e := openEnv(t, opts{})
	b := frame(30000, 1)
	f := ether.Frame{Data: [][]byte{b}, NeedsCsum: true, CsumStart: 34, CsumOffset: 16, GSOType: ether.GSOTCPv4, ECN: true, HdrLen: 54, GSOSize: 1448}
	if n, err := e.d.Transmit([]ether.Frame{f}); n != 1 || err != nil {
		t.Fatal(n, err)
	}
	got, err := e.m.WaitSent(1, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	want := devmodel.NetHdr{Flags: devmodel.HdrNeedsCsum, GSOType: devmodel.GSOTCPv4 | devmodel.GSOECN, HdrLen: 54, GSOSize: 1448, CsumStart: 34, CsumOffset: 16}
	if got[0].Hdr != want {
		t.Errorf("header %+v, want %+v", got[0].Hdr, want)
	}
	checkSent(t, got, [][]byte{b})

	e = openEnv(t, opts{disable: FHostTSO4})
	f.ECN = false
	e.d.Transmit([]ether.Frame{f})
	if s := e.d.Stats().TX; s.Dropped != 1 {
		t.Errorf("TSO4 frame without HOST_TSO4: stats %+v", s)
	}
}

func TestReceiveOffloadMetadata(t *testing.T) {
	e := openEnv(t, opts{})
	e.m.Inject(devmodel.Packet{Hdr: devmodel.NetHdr{Flags: devmodel.HdrDataValid}, Data: frame(100, 1)})
	e.m.Inject(devmodel.Packet{Hdr: devmodel.NetHdr{Flags: devmodel.HdrNeedsCsum, CsumStart: 34, CsumOffset: 6}, Data: frame(100, 2)})
	e.m.Inject(devmodel.Packet{Hdr: devmodel.NetHdr{Flags: devmodel.HdrNeedsCsum, GSOType: devmodel.GSOTCPv6, HdrLen: 74, GSOSize: 1440, CsumStart: 54, CsumOffset: 16}, Data: frame(20000, 3)})
	// Unknown flag bits are ignored (§5.1.6.4.2); csum fields without
	// NEEDS_CSUM are not reported.
	e.m.Inject(devmodel.Packet{Hdr: devmodel.NetHdr{Flags: 0x40, CsumStart: 9, CsumOffset: 9}, Data: frame(100, 4)})
	got := e.waitRX(4)
	want := []meta{
		{CsumValid: true},
		{NeedsCsum: true, CsumValid: true, CsumStart: 34, CsumOffset: 6},
		{NeedsCsum: true, CsumValid: true, CsumStart: 54, CsumOffset: 16, GSOType: ether.GSOTCPv6, HdrLen: 74, GSOSize: 1440},
		{},
	}
	for i := range want {
		if got[i].off != want[i] {
			t.Errorf("frame %d: %+v, want %+v", i, got[i].off, want[i])
		}
	}
	if len(got[2].data) != 20000 {
		t.Errorf("coalesced frame: %d bytes", len(got[2].data))
	}
}
