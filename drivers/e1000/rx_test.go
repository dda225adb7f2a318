package e1000

import (
	"bytes"
	"sync"
	"testing"
	"time"

	"warren.dev/drivers/e1000/e1000test"
	"warren.dev/drivers/e1000/internal/reg"
	"warren.dev/drivers/ether"
)

func TestReceive(t *testing.T) {
	r := newRig(t, e1000test.Config{}, Options{})
	want := [][]byte{
		numbered(testMAC, 0, 46),
		numbered(bcastMAC, 1, 46),
		numbered(testMAC, 2, 1500),
		eth(testMAC, peerMAC, 0x8100, append([]byte{0, 5, 0x88, 0xB5, 0, 0, 0, 3}, pattern(1492)...)),
	}
	for _, f := range want {
		if !r.m.Receive(f) {
			t.Fatalf("device refused %d-byte frame", len(f))
		}
	}
	// Not for us: another station, a multicast group nobody joined.
	r.m.Receive(numbered(peerMAC, 9, 46))
	r.m.Receive(numbered([6]byte{0x01, 0x00, 0x5E, 0, 0, 1}, 9, 46))
	r.m.Receive(numbered(testMAC, 4, 46))
	got := r.waitRx(5)
	want = append(want, numbered(testMAC, 4, 46))
	for i, g := range got {
		if !bytes.Equal(g.data, want[i]) {
			t.Errorf("frame %d: got %d bytes %x, want %x", i, len(g.data), g.data[:min(32, len(g.data))], want[i][:32])
		}
	}
	var n uint64
	for _, f := range want {
		n += uint64(len(f))
	}
	if s := r.d.Stats(); s.RxPackets != 5 || s.RxBytes != n || s.RxDropped != 0 {
		t.Errorf("stats %+v, want 5 frames, %d bytes", s, n)
	}
}

func TestReceiveRingWrap(t *testing.T) {
	r := newRig(t, e1000test.Config{RxFIFO: 4}, Options{RxDescriptors: 8})
	const total = 3000
	go func() {
		for i := 0; i < total; {
			if r.m.Receive(numbered(testMAC, i, 46+i%1400)) {
				i++
			} else {
				time.Sleep(50 * time.Microsecond)
			}
		}
	}()
	got := r.waitRx(total)
	for i, g := range got {
		if seqOf(g.data) != i || len(g.data) != 14+46+i%1400 {
			t.Fatalf("frame %d: seq %d, %d bytes", i, seqOf(g.data), len(g.data))
		}
	}
	if s := r.d.Stats(); s.RxPackets != total {
		t.Errorf("RxPackets %d", s.RxPackets)
	}
}

// Frames the device flags bad, and frames no sane device produces, are
// dropped and counted, and the ring goes on.
func TestReceiveBadFrames(t *testing.T) {
	r := newRig(t, e1000test.Config{}, Options{RxDescriptors: 8})
	seq := 0
	good := func() {
		t.Helper()
		if !r.m.Receive(numbered(testMAC, seq, 46)) {
			t.Fatalf("good frame %d refused", seq)
		}
		seq++
	}
	inject := func(f []byte, errs uint8) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for !r.m.Inject(f, 0, errs) {
			if time.Now().After(deadline) {
				t.Fatal("ring stuck")
			}
			time.Sleep(time.Millisecond)
		}
	}
	const rounds = 10 // several times round the ring
	for range rounds {
		good()
		inject(numbered(testMAC, 1000, 46), reg.RXD_ERR_RXE)
		inject(numbered(testMAC, 1000, 46), reg.RXD_ERR_CE)
		inject(numbered(testMAC, 1000, 46), reg.RXD_ERR_SE|reg.RXD_ERR_SEQ)
		good()
		inject(numbered(testMAC, 1000, 3000), 0) // spans two buffers
		inject(numbered(testMAC, 1000, 5000), 0) // three
		good()
		inject(make([]byte, 10), 0)                        // runt
		inject(numbered(testMAC, 1000, MaxFrameLen-13), 0) // giant in one buffer
		good()
		r.waitRx(seq)
	}
	got := r.received()
	for i, g := range got {
		if seqOf(g.data) != i {
			t.Fatalf("frame %d has seq %d", i, seqOf(g.data))
		}
		// More promises a frame that is delivered at once: a frame
		// before a dropped one, or the last, must not say it.
		if g.more && i == len(got)-1 {
			t.Errorf("frame %d says More, and none followed", i)
		}
	}
	s := r.d.Stats()
	if s.RxPackets != 4*rounds || s.RxErrors != 3*rounds || s.RxLengthErrors != 4*rounds || s.RxDropped != 7*rounds {
		t.Errorf("stats %+v", s)
	}
}

// The device itself drops runts and giants (RCTL.LPE clear) and counts
// them in RUC and ROC.
func TestReceiveDeviceDrops(t *testing.T) {
	r := newRig(t, e1000test.Config{}, Options{})
	if r.m.Receive(numbered(testMAC, 0, 30)) {
		t.Error("device took a 44-byte frame")
	}
	if r.m.Receive(numbered(testMAC, 0, 1600)) {
		t.Error("device took a 1614-byte frame")
	}
	if !r.m.Receive(numbered(testMAC, 1, 46)) {
		t.Error("device refused a good frame")
	}
	r.waitRx(1)
	hs := r.d.HWStats()
	if hs.RUC != 1 || hs.ROC != 1 || hs.GPRC != 1 {
		t.Errorf("RUC %d ROC %d GPRC %d", hs.RUC, hs.ROC, hs.GPRC)
	}
}

func TestReceiveNoReceiver(t *testing.T) {
	r := newRig(t, e1000test.Config{}, Options{})
	r.d.SetReceiver(nil)
	r.m.Receive(numbered(testMAC, 0, 46))
	eventually(t, "drop", func() bool { return r.d.Stats().RxDropped == 1 })
	r.d.SetReceiver(r.receive)
	r.m.Receive(numbered(testMAC, 1, 46))
	if got := r.waitRx(1); seqOf(got[0].data) != 1 {
		t.Error("wrong frame")
	}
}

func TestReceiveChecksum(t *testing.T) {
	tcpOK := eth(testMAC, peerMAC, 0x0800, ipv4(6, tcp(1, 0x18, pattern(300)), 16, true))
	udpOK := eth(testMAC, peerMAC, 0x0800, ipv4(17, udp(pattern(77)), 6, true))
	udpNone := eth(testMAC, peerMAC, 0x0800, ipv4(17, udp(pattern(77)), 6, false))
	tcpBad := append([]byte(nil), tcpOK...)
	tcpBad[len(tcpBad)-1] ^= 0xFF
	ipBad := append([]byte(nil), udpOK...)
	ipBad[14+8]-- // TTL, not covered by the UDP checksum
	v6 := eth(testMAC, peerMAC, 0x86DD, ipv6(6, tcp(1, 0x10, pattern(100)), 16, true))
	arp := eth(testMAC, peerMAC, 0x0806, pattern(46)) // padded, as on the wire

	cases := []struct {
		name  string
		frame []byte
		valid bool
		bad   bool
	}{
		{"tcp", tcpOK, true, false},
		{"udp", udpOK, true, false},
		{"udp without checksum", udpNone, false, false},
		{"tcp corrupt", tcpBad, false, true},
		{"ip header corrupt", ipBad, false, true},
		{"ipv6", v6, false, false}, // the 82540 checks IPv4 only
		{"arp", arp, false, false},
	}
	for _, qemu := range []bool{false, true} {
		r := newRig(t, e1000test.Config{NoRxCsum: qemu}, Options{})
		for _, c := range cases {
			r.m.Receive(c.frame)
		}
		got := r.waitRx(len(cases))
		bad := 0
		for i, c := range cases {
			if want := c.valid && !qemu; got[i].valid != want {
				t.Errorf("qemu=%v %s: CsumValid %v, want %v", qemu, c.name, got[i].valid, want)
			}
			if !bytes.Equal(got[i].data, c.frame) {
				t.Errorf("%s: frame changed", c.name)
			}
			if c.bad && !qemu {
				bad++
			}
		}
		if s := r.d.Stats(); s.RxCsumErrors != uint64(bad) || s.RxPackets != uint64(len(cases)) {
			t.Errorf("qemu=%v: stats %+v", qemu, s)
		}
	}
}

func TestMulticast(t *testing.T) {
	r := newRig(t, e1000test.Config{}, Options{})
	mdns := [6]byte{0x01, 0x00, 0x5E, 0x00, 0x00, 0xFB}
	allNodes := [6]byte{0x33, 0x33, 0x00, 0x00, 0x00, 0x01}
	if r.m.Receive(numbered(mdns, 0, 46)) {
		t.Error("device took a multicast frame with an empty table")
	}
	r.d.SetMulticast([][6]byte{mdns}, false)
	if !r.m.Receive(numbered(mdns, 0, 46)) {
		t.Error("device refused a frame to a programmed group")
	}
	if r.m.Receive(numbered(allNodes, 0, 46)) {
		t.Error("device took a frame to a group not programmed")
	}
	r.d.SetMulticast(nil, true)
	if !r.m.Receive(numbered(allNodes, 1, 46)) {
		t.Error("all-multicast refused a group")
	}
	r.waitRx(2)
	if c := r.m.Counts(); c.RCTLWrites != 1 {
		t.Errorf("RCTL written %d times", c.RCTLWrites)
	}

	r2 := newRig(t, e1000test.Config{}, Options{AllMulticast: true})
	if !r2.m.Receive(numbered(allNodes, 0, 46)) {
		t.Error("AllMulticast refused a group")
	}
	r2.waitRx(1)
}

func TestReceiveAllocs(t *testing.T) {
	r := newRig(t, e1000test.Config{}, Options{})
	var n int
	r.d.SetReceiver(func(f ether.Frame) { n += len(f.Data[0]) })
	// rxFrame is the per-frame path; descriptor 0's buffer stands in for
	// a received frame. The interrupt goroutine is idle.
	if a := testing.AllocsPerRun(100, func() {
		r.d.rxFrame(0, reg.RXD_STAT_DD|reg.RXD_STAT_EOP|reg.RXD_STAT_TCPCS, 0, 100, false)
	}); a != 0 {
		t.Errorf("receive path allocates %.1f times per frame", a)
	}
	if n != 101*100 {
		t.Errorf("receiver saw %d bytes", n)
	}
}

func TestCloseStopsDevice(t *testing.T) {
	r := newRig(t, e1000test.Config{IgnoreReset: true, Trace: true}, Options{})
	var mu sync.Mutex
	closed := false
	late := 0
	r.d.SetReceiver(func(ether.Frame) {
		mu.Lock()
		if closed {
			late++
		}
		mu.Unlock()
	})
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { // traffic in
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			r.m.Receive(numbered(testMAC, i, 46))
		}
	}()
	go func() { // traffic out
		defer wg.Done()
		f := []ether.Frame{{Data: [][]byte{numbered(peerMAC, 0, 46)}}}
		for {
			select {
			case <-stop:
				return
			default:
			}
			r.d.Transmit(f)
		}
	}()
	time.Sleep(50 * time.Millisecond)
	if err := r.d.Close(); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	closed = true
	mu.Unlock()
	time.Sleep(20 * time.Millisecond)
	close(stop)
	wg.Wait()

	mu.Lock()
	if late != 0 {
		t.Errorf("receiver called %d times after Close", late)
	}
	mu.Unlock()
	if v := r.m.Reg(reg.RCTL); v&reg.RCTL_EN != 0 {
		t.Errorf("RCTL %#x after Close", v)
	}
	if v := r.m.Reg(reg.TCTL); v&reg.TCTL_EN != 0 {
		t.Errorf("TCTL %#x after Close", v)
	}
	if v := r.m.Reg(reg.IMS); v != 0 {
		t.Errorf("IMS %#x after Close", v)
	}
	if r.m.Receive(numbered(testMAC, 0, 46)) {
		t.Error("device still receiving after Close")
	}
	if n := r.dma.Outstanding(); n != 0 {
		t.Errorf("%d DMA allocations outstanding", n)
	}
	// The receiver and transmitter went off before the reset.
	ws := r.m.Writes()
	var rxOff, txOff, rst int
	for i, w := range ws {
		switch {
		case w.Off == reg.RCTL && w.Val&reg.RCTL_EN == 0:
			rxOff = i
		case w.Off == reg.TCTL && w.Val&reg.TCTL_EN == 0:
			txOff = i
		case w.Off == reg.CTRL && w.Val&reg.CTRL_RST != 0:
			rst = i
		}
	}
	if !(rxOff > 0 && txOff > 0 && rxOff < rst && txOff < rst) {
		t.Errorf("write order at Close: RCTL off %d, TCTL off %d, CTRL.RST %d", rxOff, txOff, rst)
	}
	if err := r.d.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}
