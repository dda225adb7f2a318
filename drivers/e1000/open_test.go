package e1000

import (
	"errors"
	"testing"
	"time"

	"warren.dev/drivers/e1000/e1000test"
	"warren.dev/drivers/e1000/internal/reg"
	"warren.dev/drivers/hw"
)

func TestOpenProgramsDevice(t *testing.T) {
	r := newRig(t, e1000test.Config{Trace: true}, Options{})
	m := r.m
	if r.d.MAC() != testMAC {
		t.Errorf("MAC %x, want %x", r.d.MAC(), testMAC)
	}
	if !r.d.LinkUp() {
		t.Error("link down after Open")
	}
	if c := m.Counts(); c.RCTLWrites != 1 {
		t.Errorf("RCTL written %d times, want once", c.RCTLWrites)
	}
	wantRCTL := uint32(reg.RCTL_EN | reg.RCTL_BAM | reg.RCTL_SECRC | reg.RCTL_BSIZE_2048)
	if v := m.Reg(reg.RCTL); v != wantRCTL {
		t.Errorf("RCTL %#x, want %#x", v, wantRCTL)
	}
	if v := m.Reg(reg.TCTL); v&(reg.TCTL_EN|reg.TCTL_PSP) != reg.TCTL_EN|reg.TCTL_PSP {
		t.Errorf("TCTL %#x: EN and PSP not both set", v)
	}
	if v := m.Reg(reg.IMS); v != imsEnabled {
		t.Errorf("IMS %#x, want %#x", v, imsEnabled)
	}
	if v := m.Reg(reg.ITR); v != 488 {
		t.Errorf("ITR %d, want 488 (8000 interrupts/s)", v)
	}
	if v := m.Reg(reg.RXCSUM); v != reg.RXCSUM_IPOFL|reg.RXCSUM_TUOFL {
		t.Errorf("RXCSUM %#x", v)
	}
	if v := m.Reg(reg.RAH0); v&reg.RAH_AV == 0 {
		t.Errorf("RAH0 %#x: AV clear", v)
	}
	for i := range reg.MTAEntries {
		if v := m.Reg(reg.MTA + 4*uint64(i)); v != 0 {
			t.Fatalf("MTA[%d] = %#x, want a clear table", i, v)
		}
	}
	if v := m.Reg(reg.RDLEN); v != 256*16 {
		t.Errorf("RDLEN %d", v)
	}
	if h, tl := m.Reg(reg.RDH), m.Reg(reg.RDT); h != 0 || tl != 255 {
		t.Errorf("RDH %d RDT %d, want 0 and 255", h, tl)
	}

	// Order: interrupts masked before the reset, none unmasked before
	// the receiver is on, the reset before any setup.
	ws := m.Writes()
	idx := func(match func(w e1000test.Write) bool) int {
		for i, w := range ws {
			if match(w) {
				return i
			}
		}
		return -1
	}
	imc := idx(func(w e1000test.Write) bool { return w.Off == reg.IMC && w.Val == ^uint32(0) })
	rst := idx(func(w e1000test.Write) bool { return w.Off == reg.CTRL && w.Val&reg.CTRL_RST != 0 })
	rctl := idx(func(w e1000test.Write) bool { return w.Off == reg.RCTL })
	ims := idx(func(w e1000test.Write) bool { return w.Off == reg.IMS && w.Val != 0 })
	rdba := idx(func(w e1000test.Write) bool { return w.Off == reg.RDBAL })
	if !(imc >= 0 && imc < rst && rst < rdba && rdba < rctl && rctl < ims) {
		t.Errorf("write order: IMC %d, CTRL.RST %d, RDBAL %d, RCTL %d, IMS %d", imc, rst, rdba, rctl, ims)
	}
}

func TestOpenMACFromEEPROM(t *testing.T) {
	for _, c := range []struct {
		name string
		id   uint16
	}{{"82540EM", 0}, {"82545EM", Device82545EM}, {"82574L", Device82574L}} {
		t.Run(c.name, func(t *testing.T) {
			r := newRig(t, e1000test.Config{NoRAL0: true, EERDReads: 3, DeviceID: c.id}, Options{DeviceID: c.id})
			if r.d.MAC() != testMAC {
				t.Errorf("MAC %x, want %x", r.d.MAC(), testMAC)
			}
			lo, hi := r.m.Reg(reg.RAL0), r.m.Reg(reg.RAH0)
			if lo != 0x12005452 || hi != 0x5634|reg.RAH_AV {
				t.Errorf("RAL0 %#x RAH0 %#x", lo, hi)
			}
			// The address filter now passes unicasts to us.
			f := numbered(testMAC, 1, 60)
			if !r.m.Receive(f) {
				t.Fatal("device refused a frame to its address")
			}
			r.waitRx(1)
		})
	}
}

func TestOpenBadEEPROM(t *testing.T) {
	r := newModel(t, e1000test.Config{NoRAL0: true, BadEEPROMChecksum: true})
	err := r.open(Options{})
	if err == nil {
		t.Fatal("Open succeeded with a bad EEPROM checksum")
	}
	t.Log(err)
	if n := r.dma.Outstanding(); n != 0 {
		t.Errorf("%d DMA allocations outstanding", n)
	}
	if err := r.irq.Wait(); !errors.Is(err, hw.ErrClosed) {
		t.Errorf("interrupt not closed: Wait = %v", err)
	}
	r.checkModel()
}

func TestOpenSlowReset(t *testing.T) {
	r := newRig(t, e1000test.Config{ResetReads: 3}, Options{})
	if c := r.m.Counts(); c.Resets != 1 {
		t.Errorf("%d resets", c.Resets)
	}
}

// A device QEMU-style, whose CTRL.RST resets nothing, left running by a
// previous owner: Open must stop its rings itself.
func TestOpenStaleDevice(t *testing.T) {
	r := newModel(t, e1000test.Config{IgnoreReset: true})
	regs := r.m.Regs()
	regs.Write32(reg.RDBAL, 0xDEAD000)
	regs.Write32(reg.RDLEN, 4096)
	regs.Write32(reg.RDT, 5)
	regs.Write32(reg.RCTL, reg.RCTL_EN|reg.RCTL_UPE)
	regs.Write32(reg.IMS, ^uint32(0))
	regs.Write32(reg.TCTL, reg.TCTL_EN)
	regs.Write32(reg.MTA+8, 0xFFFF)
	regs.Write32(reg.RAH(3), reg.RAH_AV|0x1234)
	if err := r.open(Options{}); err != nil {
		t.Fatal(err)
	}
	if v := r.m.Reg(reg.RCTL); v&reg.RCTL_UPE != 0 || v&reg.RCTL_EN == 0 {
		t.Errorf("RCTL %#x", v)
	}
	if v := r.m.Reg(reg.MTA + 8); v != 0 {
		t.Errorf("MTA[2] %#x not cleared", v)
	}
	if v := r.m.Reg(reg.RAH(3)); v != 0 {
		t.Errorf("RAH3 %#x not cleared", v)
	}
	r.m.Receive(numbered(testMAC, 7, 64))
	if got := r.waitRx(1); seqOf(got[0].data) != 7 {
		t.Errorf("received %x", got[0].data)
	}
	r.d.Close()
	if v := r.m.Reg(reg.RCTL); v&reg.RCTL_EN != 0 {
		t.Errorf("RCTL %#x after Close: receiver still on", v)
	}
	if v := r.m.Reg(reg.TCTL); v&reg.TCTL_EN != 0 {
		t.Errorf("TCTL %#x after Close: transmitter still on", v)
	}
}

func TestOpenOptions(t *testing.T) {
	for _, o := range []Options{
		{RxDescriptors: 12},
		{TxDescriptors: 4},
		{RxDescriptors: 8192},
		{DeviceID: 0x1234},
	} {
		r := newModel(t, e1000test.Config{})
		if err := r.open(o); err == nil {
			t.Errorf("Open(%+v) succeeded", o)
		}
		if err := r.irq.Wait(); !errors.Is(err, hw.ErrClosed) {
			t.Errorf("Open(%+v) failed but left the interrupt open", o)
		}
	}
	if !Supports(0x8086, 0x100E) || !Supports(0x8086, 0x10D3) || Supports(0x8086, 0x1234) || Supports(0x1AF4, 0x100E) {
		t.Error("Supports")
	}
}

func TestOpenOutOfDMA(t *testing.T) {
	for _, limit := range []int{0, 4096, 256 * 16, 256*16 + 256*2048 + 4096} {
		r := newModel(t, e1000test.Config{})
		r.dma.LimitBytes(limit)
		if err := r.open(Options{}); err == nil {
			t.Fatalf("Open succeeded with %d bytes of DMA memory", limit)
		}
		if n := r.dma.Outstanding(); n != 0 {
			t.Errorf("limit %d: %d DMA allocations outstanding", limit, n)
		}
	}
}

func TestLinkDownAtStart(t *testing.T) {
	r := newModel(t, e1000test.Config{LinkDown: true})
	start := time.Now()
	go func() {
		time.Sleep(100 * time.Millisecond)
		r.m.SetLink(true)
	}()
	if err := r.open(Options{LinkTimeout: 5 * time.Second}); err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el < 100*time.Millisecond {
		t.Errorf("Open returned after %v, before the link came up", el)
	}
	if !r.d.LinkUp() {
		t.Error("link down")
	}
	r.m.Receive(numbered(testMAC, 1, 60))
	r.waitRx(1)
}

func TestAutonegotiationTime(t *testing.T) {
	start := time.Now()
	r := newRig(t, e1000test.Config{LinkDelay: 150 * time.Millisecond}, Options{})
	if el := time.Since(start); el < 150*time.Millisecond {
		t.Errorf("Open returned after %v, before auto-negotiation finished", el)
	}
	if !r.d.LinkUp() {
		t.Error("link down")
	}
}

func TestLinkTimeout(t *testing.T) {
	r := newModel(t, e1000test.Config{LinkDown: true})
	start := time.Now()
	err := r.open(Options{LinkTimeout: 100 * time.Millisecond})
	if !errors.Is(err, ErrNoLink) {
		t.Fatalf("Open = %v, want ErrNoLink", err)
	}
	// Not before the timeout; how much later depends on the host's load,
	// which a test cannot bound.
	if el := time.Since(start); el < 100*time.Millisecond {
		t.Errorf("gave up after %v, before the %v timeout", el, 100*time.Millisecond)
	}
	if n := r.dma.Outstanding(); n != 0 {
		t.Errorf("%d DMA allocations outstanding", n)
	}
	if v := r.m.Reg(reg.IMS); v != 0 {
		t.Errorf("IMS %#x after a failed Open", v)
	}
	r.checkModel()
}

func TestLinkChange(t *testing.T) {
	changes := make(chan bool, 4)
	r := newRig(t, e1000test.Config{LinkDown: true}, Options{
		LinkTimeout: -1,
		LinkChange:  func(up bool) { changes <- up },
	})
	if r.d.LinkUp() {
		t.Fatal("link up with no cable")
	}
	for _, up := range []bool{true, false, true} {
		r.m.SetLink(up)
		select {
		case got := <-changes:
			if got != up {
				t.Fatalf("LinkChange(%v), want %v", got, up)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("no LinkChange(%v)", up)
		}
		if r.d.LinkUp() != up {
			t.Errorf("LinkUp() = %v, want %v", !up, up)
		}
	}
	if n := r.d.Stats().LinkChanges; n != 3 {
		t.Errorf("LinkChanges %d, want 3", n)
	}
	r.m.Receive(numbered(testMAC, 1, 60))
	r.waitRx(1)
}
