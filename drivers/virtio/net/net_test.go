package net

import (
	"errors"
	"testing"
	"time"

	"warren.dev/drivers/ether"
	"warren.dev/drivers/virtio"
	"warren.dev/drivers/virtio/internal/devmodel"
)

// modes are the transport and notification configurations every
// traffic test runs in.
var modes = []struct {
	name string
	o    opts
}{
	{"pci/event-idx/msix3", opts{}},
	{"pci/no-event-idx/msix3", opts{disable: virtio.FEventIdx}},
	{"pci/event-idx/msix1", opts{msix: 1}},
	{"pci/event-idx/intx", opts{msix: -1}},
	{"pci/no-event-idx/intx", opts{msix: -1, disable: virtio.FEventIdx}},
	{"mmio/event-idx", opts{mmio: true}},
	{"mmio/no-event-idx", opts{mmio: true, disable: virtio.FEventIdx}},
}

// transports are the buses a test that does not depend on the
// interrupt layout runs on.
var transports = []struct {
	name string
	o    opts
}{{"pci", opts{}}, {"mmio", opts{mmio: true}}}

func TestOpen(t *testing.T) {
	for _, tp := range transports {
		t.Run(tp.name, func(t *testing.T) { testOpen(t, tp.o) })
	}
}

func testOpen(t *testing.T, base opts) {
	e := openEnv(t, base)
	d := e.d
	if d.MAC() != testMAC || d.MTU() != 1500 || !d.LinkUp() {
		t.Errorf("MAC %x MTU %d link %v", d.MAC(), d.MTU(), d.LinkUp())
	}
	want := virtio.FVersion1 | virtio.FEventIdx | FMAC | FStatus | FMTU | FCsum | FGuestCsum |
		FHostTSO4 | FHostTSO6 | FHostECN | FGuestTSO4 | FGuestTSO6 | FMrgRxbuf
	if d.Features() != want {
		t.Errorf("features %v, want %v (no CTRL_VQ or MQ)", d.Features(), want)
	}
	if got := e.m.DriverFeatures(); virtio.Features(got) != want {
		t.Errorf("device has features %v", virtio.Features(got))
	}
	if s := e.m.Status(); s != virtio.StatusAcknowledge|virtio.StatusDriver|virtio.StatusFeaturesOK|virtio.StatusDriverOK {
		t.Errorf("status %#x", s)
	}
	o := d.Offloads()
	if !o.TXChecksum || !o.TSO4 || !o.TSO6 || !o.RXChecksum || !o.RXTSO4 || !o.MergeableRX {
		t.Errorf("offloads %+v", o)
	}
	if f, want := o.Features(), ether.FeatureTXCsum|ether.FeatureRXCsum|ether.FeatureTSO4|ether.FeatureTSO6|ether.FeatureRXGSO; f != want {
		t.Errorf("link features %#x, want %#x", f, want)
	}
	if want := map[bool]int{false: 3, true: 0}[base.mmio]; len(e.ints.MSIs) != want {
		t.Errorf("%d MSI vectors allocated, want %d", len(e.ints.MSIs), want)
	}
}

func TestFeatureDependencies(t *testing.T) {
	for _, tp := range transports {
		t.Run(tp.name, func(t *testing.T) { testFeatureDependencies(t, tp.o) })
	}
}

func testFeatureDependencies(t *testing.T, base opts) {
	// GUEST_TSO without GUEST_CSUM, HOST_TSO without CSUM, GUEST_TSO
	// without MRG_RXBUF: the driver must not accept them (§5.1.3.1);
	// the model flags any that it does.
	for _, offered := range []uint64{
		devmodel.FVersion1 | devmodel.NetFGuestTSO4 | devmodel.NetFGuestECN | devmodel.NetFHostTSO6 | devmodel.NetFHostECN | devmodel.NetFMrgRxbuf,
		devmodel.FVersion1 | devmodel.NetFGuestCsum | devmodel.NetFGuestTSO4 | devmodel.NetFCsum | devmodel.NetFHostECN,
	} {
		o := base
		o.offered = offered
		e := openEnv(t, o)
		f := e.d.Features()
		if f&(FGuestTSO4|FGuestECN|FHostTSO6|FHostECN) != 0 {
			t.Errorf("offered %v: accepted %v", virtio.Features(offered), f)
		}
		if f.Has(FMAC) || f.Has(FStatus) || !e.d.LinkUp() {
			t.Errorf("without MAC/STATUS: features %v link %v", f, e.d.LinkUp())
		}
		if mac := e.d.MAC(); mac[0]&3 != 2 {
			t.Errorf("random MAC %x is not locally administered unicast", mac)
		}
	}
}

func TestNegotiationFailures(t *testing.T) {
	for _, tp := range transports {
		t.Run(tp.name, func(t *testing.T) { testNegotiationFailures(t, tp.o) })
	}
}

func testNegotiationFailures(t *testing.T, base opts) {
	o := base
	o.offered = devmodel.NetFMAC | devmodel.NetFStatus // no VERSION_1
	m, dma, ints := o.device(t)
	c := o.config(t, m, dma, ints)
	c.Receive = func([]ether.Frame) {}
	if _, err := Open(c); !errors.Is(err, virtio.ErrNoVersion1) {
		t.Fatalf("legacy device: %v", err)
	}
	if m.Status()&virtio.StatusFailed == 0 {
		t.Error("FAILED not set")
	}

	o = base
	o.dev.RefuseFeaturesOK = true
	m, dma, ints = o.device(t)
	c = o.config(t, m, dma, ints)
	c.Receive = func([]ether.Frame) {}
	if _, err := Open(c); !errors.Is(err, virtio.ErrFeaturesRejected) {
		t.Fatalf("device refusing FEATURES_OK: %v", err)
	}
	if m.Status()&virtio.StatusFailed == 0 {
		t.Error("FAILED not set")
	}
	if n := dma.Outstanding(); n != 0 {
		t.Errorf("%d DMA allocations left after a failed Open", n)
	}
}

func TestVectorFallback(t *testing.T) {
	// The device can only map vector 0: per-queue and split layouts
	// fail, the shared layout works.
	e := openEnv(t, opts{dev: devmodel.Options{VectorLimit: 1}})
	if e.m.Resets() < 3 {
		t.Errorf("%d resets: expected a reset per layout tried", e.m.Resets())
	}
	e.sendAll([]ether.Frame{one(frame(60, 1))})
	if _, err := e.m.WaitSent(1, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	e.m.Inject(devmodel.Packet{Data: frame(60, 2)})
	e.waitRX(1)
	if e.m.Raised(0) == 0 {
		t.Error("no interrupt on the shared vector")
	}

	// No MSI vectors from the platform at all: Open fails cleanly.
	o := opts{}
	m, dma, ints := o.device(t)
	ints.FailMSI = true
	c := o.config(t, m, dma, ints)
	c.Receive = func([]ether.Frame) {}
	if _, err := Open(c); err == nil {
		t.Fatal("Open without vectors succeeded")
	}
}

func TestTransmit(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			e := openEnv(t, mode.o)
			var want [][]byte
			var frames []ether.Frame
			for i := range 10 {
				b := frame(60+i*100, i)
				want = append(want, b)
				// Split each frame in three pieces, as a stack would
				// (link header, network headers, payload).
				frames = append(frames, ether.Frame{Data: [][]byte{b[:14], b[14:40], b[40:]}})
			}
			n, err := e.d.Transmit(frames)
			if n != 10 || err != nil {
				t.Fatalf("Transmit = %d, %v", n, err)
			}
			got, err := e.m.WaitSent(10, 5*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			checkSent(t, got, want)
			for _, p := range got {
				if p.Hdr != (devmodel.NetHdr{}) {
					t.Fatalf("header %+v for a plain frame", p.Hdr)
				}
			}
			if s := e.d.Stats().TX; s.Packets != 10 || s.Dropped != 0 {
				t.Errorf("stats %+v", s)
			}
			if e.m.Notifies(1) != 1 {
				t.Errorf("%d doorbells for one batch", e.m.Notifies(1))
			}
			if n := e.d.Stats().TXNotifications; n != uint64(e.m.Notifies(1)) {
				t.Errorf("TXNotifications %d, the device saw %d", n, e.m.Notifies(1))
			}
		})
	}
}

func TestTransmitWrap(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			o := mode.o
			o.net.QueueSize = 8
			e := openEnv(t, o)
			const total = 2000 // many times the ring size, past no 16-bit wrap but many ring wraps
			var want [][]byte
			var frames []ether.Frame
			for i := range total {
				b := frame(60+i%1400, i)
				want = append(want, b)
				frames = append(frames, one(b))
			}
			// Batches of various sizes.
			for i := 0; i < total; {
				k := min(1+i%13, total-i)
				e.sendAll(frames[i : i+k])
				i += k
			}
			got, err := e.m.WaitSent(total, 10*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			checkSent(t, got, want)
		})
	}
}

func TestTransmitFullRing(t *testing.T) {
	for _, tp := range transports {
		t.Run(tp.name, func(t *testing.T) { testTransmitFullRing(t, tp.o) })
	}
}

func testTransmitFullRing(t *testing.T, base opts) {
	o := base
	o.net = devmodel.NetOptions{QueueSize: 16, HoldTX: true}
	e := openEnv(t, o)
	var want [][]byte
	var frames []ether.Frame
	for i := range 40 {
		b := frame(100, i)
		want = append(want, b)
		frames = append(frames, one(b))
	}
	n, err := e.d.Transmit(frames)
	if n != 16 || !errors.Is(err, ErrQueueFull) {
		t.Fatalf("Transmit into a 16-entry ring = %d, %v", n, err)
	}
	if n2, err := e.d.Transmit(frames[n:]); n2 != 0 || !errors.Is(err, ErrQueueFull) {
		t.Fatalf("Transmit into a full ring = %d, %v", n2, err)
	}
	eventually(t, "device holding 16 buffers", func() bool { return e.m.Held() == 16 })

	// A waiter sleeps until completions free the ring.
	done := make(chan error)
	go func() { done <- e.d.WaitTXSpace(nil) }()
	select {
	case err := <-done:
		t.Fatalf("WaitTXSpace returned %v with the ring full", err)
	case <-time.After(50 * time.Millisecond):
	}
	e.m.CompleteTX(-1)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	e.m.SetHoldTX(false)
	e.m.CompleteTX(-1)
	e.sendAll(frames[n:])
	got, err := e.m.WaitSent(40, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	checkSent(t, got, want) // nothing was overwritten or lost
}

func TestTransmitDrops(t *testing.T) {
	e := openEnv(t, opts{net: devmodel.NetOptions{QueueSize: 16}, disable: FHostECN})
	ok1, ok2 := frame(60, 1), frame(1514, 2)
	frames := []ether.Frame{
		one(frame(10, 0)),   // shorter than an Ethernet header
		one(ok1),            //
		one(frame(1515, 0)), // MTU 1500 + 14 exceeded without GSO
		one(ok2),            // exactly MTU + 14
		{Data: [][]byte{frame(100, 0)}, NeedsCsum: true, CsumStart: 90, CsumOffset: 10}, // out of bounds
		{Data: [][]byte{frame(9000, 0)}, GSOType: ether.GSOTCPv4, GSOSize: 1448},        // GSO without NeedsCsum
		{Data: [][]byte{frame(9000, 0)}, GSOType: 3, NeedsCsum: true, GSOSize: 1448},    // UDP GSO not negotiated
		{Data: [][]byte{frame(9000, 0)}, GSOType: ether.GSOTCPv6, ECN: true, NeedsCsum: true, GSOSize: 1448},
		{Data: [][]byte{frame(16*2048, 0)}, GSOType: ether.GSOTCPv4, NeedsCsum: true, GSOSize: 1448}, // more chunks than the ring
	}
	n, err := e.d.Transmit(frames)
	if n != len(frames) || err != nil {
		t.Fatalf("Transmit = %d, %v", n, err)
	}
	got, err := e.m.WaitSent(2, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	checkSent(t, got, [][]byte{ok1, ok2})
	if s := e.d.Stats().TX; s.Dropped != 7 || s.Packets != 2 || s.Bytes != 60+1514 {
		t.Errorf("stats %+v", s)
	}
}

func TestLinkStatus(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			e := openEnv(t, mode.o)
			e.m.SetLink(false)
			e.waitFor("link down", func() bool { return len(e.links) == 1 })
			if e.d.LinkUp() || e.links[0] {
				t.Fatal("link still up")
			}
			e.m.SetLink(true)
			e.waitFor("link up", func() bool { return len(e.links) == 2 })
			if !e.d.LinkUp() || !e.links[1] {
				t.Fatal("link still down")
			}
		})
	}
}

func TestDeviceNeedsReset(t *testing.T) {
	for _, tp := range transports {
		t.Run(tp.name, func(t *testing.T) { testDeviceNeedsReset(t, tp.o) })
	}
}

func testDeviceNeedsReset(t *testing.T, base opts) {
	e := openEnv(t, base)
	e.m.SetNeedsReset()
	eventually(t, "the driver to see DEVICE_NEEDS_RESET", func() bool { return e.d.Err() != nil })
	if !errors.Is(e.d.Err(), virtio.ErrNeedsReset) {
		t.Fatal(e.d.Err())
	}
	if _, err := e.d.Transmit([]ether.Frame{one(frame(60, 0))}); !errors.Is(err, virtio.ErrNeedsReset) {
		t.Fatalf("Transmit on a failed device: %v", err)
	}
	if err := e.d.WaitTXSpace(nil); !errors.Is(err, virtio.ErrNeedsReset) {
		t.Fatalf("WaitTXSpace on a failed device: %v", err)
	}
}

func TestCorruptUsedRing(t *testing.T) {
	for _, tp := range transports {
		t.Run(tp.name, func(t *testing.T) { testCorruptUsedRing(t, tp.o) })
	}
}

func testCorruptUsedRing(t *testing.T, base opts) {
	for _, q := range []int{rxQueueIndex(0), txQueueIndex(0)} {
		e := openEnv(t, base)
		if q == txQueueIndex(0) {
			e.sendAll([]ether.Frame{one(frame(60, 0))})
			e.m.WaitSent(1, 5*time.Second)
		}
		e.m.CorruptUsed(q)
		if q == txQueueIndex(0) {
			e.d.Transmit([]ether.Frame{one(frame(60, 1))}) // reclaims, finds the bad entry
		}
		eventually(t, "the driver to notice the corrupted ring", func() bool { return e.d.Err() != nil })
		if !errors.Is(e.d.Err(), virtio.ErrDeviceBroken) {
			t.Fatal(e.d.Err())
		}
		if _, err := e.d.Transmit([]ether.Frame{one(frame(60, 0))}); !errors.Is(err, virtio.ErrDeviceBroken) {
			t.Fatalf("Transmit: %v", err)
		}
	}
}

func TestWaitTXSpaceForLargeFrame(t *testing.T) {
	// A 9000-byte GSO frame needs 5 chunks of 2048; with the ring full,
	// one completion is not enough room.
	e := openEnv(t, opts{net: devmodel.NetOptions{QueueSize: 8, HoldTX: true}})
	var small []ether.Frame
	for i := range 8 {
		small = append(small, one(frame(60, i)))
	}
	if n, err := e.d.Transmit(small); n != 8 || err != nil {
		t.Fatal(n, err)
	}
	big := ether.Frame{Data: [][]byte{frame(9000, 9)}, NeedsCsum: true, CsumStart: 34, CsumOffset: 16, GSOType: ether.GSOTCPv4, GSOSize: 1448}
	if n, err := e.d.Transmit([]ether.Frame{big}); n != 0 || !errors.Is(err, ErrQueueFull) {
		t.Fatal(n, err)
	}
	eventually(t, "8 held", func() bool { return e.m.Held() == 8 })
	done := make(chan error)
	go func() { done <- e.d.WaitTXSpace(nil) }()
	e.m.CompleteTX(2)
	select {
	case err := <-done:
		t.Fatalf("WaitTXSpace returned (%v) with 2 of 5 descriptors free", err)
	case <-time.After(50 * time.Millisecond):
	}
	e.m.CompleteTX(-1)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n, err := e.d.Transmit([]ether.Frame{big}); n != 1 || err != nil {
		t.Fatal(n, err)
	}
}

func TestClose(t *testing.T) {
	for _, tp := range transports {
		t.Run(tp.name, func(t *testing.T) { testClose(t, tp.o) })
	}
}

func testClose(t *testing.T, base opts) {
	e := openEnv(t, base)
	e.m.Inject(devmodel.Packet{Data: frame(60, 0)})
	e.waitRX(1)
	if err := e.d.Close(); err != nil {
		t.Fatal(err)
	}
	if e.m.Status() != 0 {
		t.Errorf("device status %#x after Close", e.m.Status())
	}
	if n := e.dma.Outstanding(); n != 0 {
		t.Errorf("%d DMA allocations left", n)
	}
	if _, err := e.d.Transmit([]ether.Frame{one(frame(60, 0))}); !errors.Is(err, ErrClosed) {
		t.Errorf("Transmit after Close: %v", err)
	}
	if err := e.d.Close(); !errors.Is(err, ErrClosed) {
		t.Errorf("second Close: %v", err)
	}
}

func TestTransmitDoesNotAllocate(t *testing.T) {
	for _, o := range []opts{{}, {disable: FCsum}} {
		e := openEnv(t, o)
		e.m.Pause() // the model allocates; keep it out of the count
		b := frame(1000, 1)
		frames := []ether.Frame{{Data: [][]byte{b[:14], b[14:]}}, {Data: [][]byte{b}, NeedsCsum: true, CsumStart: 34, CsumOffset: 6}}
		allocs := testing.AllocsPerRun(20, func() {
			if n, err := e.d.Transmit(frames); n != 2 || err != nil {
				t.Fatal(n, err)
			}
		})
		if allocs != 0 {
			t.Errorf("Transmit allocates %.1f times per call", allocs)
		}
		e.m.Resume()
		if _, err := e.m.WaitSent(42, 5*time.Second); err != nil {
			t.Fatal(err)
		}
	}
}
