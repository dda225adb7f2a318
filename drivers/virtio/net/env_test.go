package net

import (
	"bytes"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"warren.dev/drivers/ether"
	"warren.dev/drivers/hw/hwtest"
	"warren.dev/drivers/virtio"
	"warren.dev/drivers/virtio/internal/devmodel"
)

const allOffered = devmodel.FVersion1 | devmodel.FEventIdx | devmodel.NetFMAC | devmodel.NetFStatus |
	devmodel.NetFMTU | devmodel.NetFCsum | devmodel.NetFGuestCsum | devmodel.NetFHostTSO4 |
	devmodel.NetFHostTSO6 | devmodel.NetFHostECN | devmodel.NetFGuestTSO4 | devmodel.NetFGuestTSO6 |
	devmodel.NetFMrgRxbuf | devmodel.NetFCtrlVQ | devmodel.NetFMQ

var testMAC = [6]byte{0x52, 0x54, 0, 0x12, 0x34, 0x56}

// opts configure a test environment.
type opts struct {
	offered    uint64 // 0: allOffered
	disable    virtio.Features
	msix       int  // MSI-X table size; -1 for INTx
	mmio       bool // virtio-mmio: one edge-triggered line, no MSI-X
	queueSize  int
	bufferSize int
	pairs      int // Config.Pairs
	dev        devmodel.Options
	net        devmodel.NetOptions
	receive    func([]ether.Frame) // replaces the recording callback
	rearm      func(*env)          // Config.testRearm
	stall      time.Duration       // Config.testStall
}

// env is a driver opened against a device model.
type env struct {
	t    *testing.T
	m    *devmodel.Net
	dma  *hwtest.DMA
	ints *hwtest.Interrupts
	d    *Device

	mu    sync.Mutex
	cond  *sync.Cond
	rx    []rxFrame
	links []bool
}

type rxFrame struct {
	data []byte
	segs int
	off  meta
}

// meta is a received frame's offload metadata, comparable.
type meta struct {
	NeedsCsum, CsumValid, ECN bool
	CsumStart, CsumOffset     uint16
	GSOType                   ether.GSOType
	HdrLen, GSOSize           uint16
}

func metaOf(f *ether.Frame) meta {
	return meta{f.NeedsCsum, f.CsumValid, f.ECN, f.CsumStart, f.CsumOffset, f.GSOType, f.HdrLen, f.GSOSize}
}

func (o opts) device(t *testing.T) (*devmodel.Net, *hwtest.DMA, *hwtest.Interrupts) {
	if o.offered == 0 {
		o.offered = allOffered
	}
	if o.mmio {
		o.msix = -1
		o.dev.MMIO = true
	}
	if o.msix == 0 {
		o.msix = 3
	}
	if o.net.QueueSize == 0 {
		o.net.QueueSize = 64
	}
	if o.net.MTU == 0 {
		o.net.MTU = 1500
	}
	o.net.MAC = testMAC
	o.net.LinkUp = true
	o.dev.Features = o.offered
	if o.msix > 0 {
		o.dev.MSIXVectors = o.msix
	}
	dma := hwtest.NewDMA(0x80000000, 64<<20)
	ints := &hwtest.Interrupts{}
	m := devmodel.NewNet(dma, ints, o.dev, o.net)
	t.Cleanup(m.Close)
	if o.msix > 0 {
		m.EnableMSIX()
	}
	return m, dma, ints
}

func (o opts) config(t *testing.T, m *devmodel.Net, dma *hwtest.DMA, ints *hwtest.Interrupts) Config {
	t.Helper()
	tr := o.transport(t, m)
	c := Config{Transport: tr, DMA: dma, Interrupts: ints, QueueSize: o.queueSize, BufferSize: o.bufferSize, Disable: o.disable, Pairs: o.pairs, testStall: o.stall}
	if o.msix == -1 || o.mmio {
		c.Line = m.Line
	} else {
		c.MSIX = m.MSIX()
	}
	return c
}

// transport reaches the model over virtio-mmio or virtio-pci.
func (o opts) transport(t *testing.T, m *devmodel.Net) *virtio.Transport {
	t.Helper()
	if o.mmio {
		tr, _, err := virtio.NewMMIO(m.MMIORegs())
		if err != nil {
			t.Fatal(err)
		}
		return tr
	}
	cs, offs := m.ConfigSpace()
	var caps []virtio.Cap
	for _, off := range offs {
		c, err := virtio.ReadCap(cs, off)
		if err != nil {
			t.Fatal(err)
		}
		caps = append(caps, c)
	}
	tr, err := virtio.NewPCI(caps, m.MapBAR)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func openEnv(t *testing.T, o opts) *env {
	t.Helper()
	m, dma, ints := o.device(t)
	e := &env{t: t, m: m, dma: dma, ints: ints}
	e.cond = sync.NewCond(&e.mu)
	c := o.config(t, m, dma, ints)
	c.Receive = e.receive
	if o.receive != nil {
		c.Receive = o.receive
	}
	if o.rearm != nil {
		c.testRearm = func() { o.rearm(e) }
	}
	c.LinkChange = func(up bool) {
		e.mu.Lock()
		e.links = append(e.links, up)
		e.cond.Broadcast()
		e.mu.Unlock()
	}
	d, err := Open(c)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	e.d = d
	t.Cleanup(func() {
		if !d.closed.Load() {
			if err := d.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		}
		if v := m.Violations(); len(v) > 0 {
			t.Errorf("driver violations seen by the device:\n%v", v)
		}
	})
	return e
}

func (e *env) receive(frames []ether.Frame) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for i := range frames {
		f := &frames[i]
		b := make([]byte, f.Len())
		f.CopyTo(b)
		e.rx = append(e.rx, rxFrame{data: b, segs: len(f.Data), off: metaOf(f)})
	}
	e.cond.Broadcast()
}

// waitFor waits until cond (called with e.mu held) holds.
func (e *env) waitFor(what string, cond func() bool) {
	e.t.Helper()
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			e.mu.Lock()
			e.cond.Broadcast()
			e.mu.Unlock()
		}
	}()
	deadline := time.Now().Add(10 * time.Second)
	e.mu.Lock()
	defer e.mu.Unlock()
	for !cond() {
		if time.Now().After(deadline) {
			e.mu.Unlock()
			d := e.dump()
			e.mu.Lock()
			e.t.Fatalf("timed out waiting for %s: %s", what, d)
		}
		e.cond.Wait()
	}
}

func (e *env) waitRX(n int) []rxFrame {
	e.t.Helper()
	e.waitFor(fmt.Sprintf("%d received frames", n), func() bool { return len(e.rx) >= n })
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]rxFrame(nil), e.rx...)
}

// eventually polls f for up to 10s.
func eventually(t *testing.T, what string, f func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !f(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// frame makes an Ethernet frame of n bytes whose payload encodes seq.
func frame(n int, seq int) []byte {
	b := make([]byte, n)
	copy(b, []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1, 0x88, 0xb5})
	for i := ethHeaderLen; i < n; i++ {
		b[i] = byte(seq + i)
	}
	return b
}

func one(b []byte) ether.Frame { return ether.Frame{Data: [][]byte{b}} }

// sendAll transmits frames, waiting for room when the ring is full.
func (e *env) sendAll(frames []ether.Frame) {
	e.t.Helper()
	if err := transmitAll(e.d, frames); err != nil {
		e.t.Fatal(err)
	}
}

// transmitAll is sendAll for any goroutine: it returns the first error.
func transmitAll(d *Device, frames []ether.Frame) error {
	for len(frames) > 0 {
		n, err := d.Transmit(frames)
		frames = frames[n:]
		if errors.Is(err, ErrQueueFull) {
			err = d.WaitTXSpace(&frames[0])
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func checkSent(t *testing.T, got []devmodel.Packet, want [][]byte) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("device got %d frames, want %d", len(got), len(want))
	}
	for i := range want {
		if !bytes.Equal(got[i].Data, want[i]) {
			t.Fatalf("frame %d: device got %d bytes % x..., want %d bytes % x...", i, len(got[i].Data), head(got[i].Data), len(want[i]), head(want[i]))
		}
	}
}

func head(b []byte) []byte { return b[:min(len(b), 20)] }

// dump describes the driver's and device's state, for timeouts.
func (e *env) dump() string {
	s := fmt.Sprintf("stats %+v; device: rxWaiting %d raised %v; ",
		e.d.Stats(), e.m.RXWaiting(), []int{e.m.Raised(-1), e.m.Raised(0), e.m.Raised(1), e.m.Raised(2)})
	return s + e.m.DebugString()
}
