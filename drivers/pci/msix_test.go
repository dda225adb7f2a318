package pci

import (
	"encoding/binary"
	"errors"
	"testing"

	"warren.dev/drivers/hw"
	"warren.dev/drivers/hw/hwtest"
)

// msixModel is virtio-net's BAR 1: the MSI-X table at 0 and the PBA at
// 0x800, reached only with aligned dword accesses (PCI 3.0 §6.8.2).
type msixModel struct {
	t    *testing.T
	f    *fakeConfig
	bar  [4096]byte
	regs *hwtest.Regs
}

func newMSIXModel(t *testing.T, f *fakeConfig, size int) *msixModel {
	m := &msixModel{t: t, f: f}
	for i := 0; i < size; i++ {
		m.bar[16*i+msixVectorCtl] = msixVectorMask // reset: masked (§6.8.2.9)
	}
	m.regs = &hwtest.Regs{
		Read: func(off uint64, width int) uint64 {
			m.check(off, width)
			return uint64(binary.LittleEndian.Uint32(m.bar[off:]))
		},
		Write: func(off uint64, width int, v uint64) {
			m.check(off, width)
			if off < 0x800 && off%16 != msixVectorCtl && !m.masked(int(off/16)) {
				t.Errorf("entry %d message written at %#x while unmasked", off/16, off)
			}
			binary.LittleEndian.PutUint32(m.bar[off:], uint32(v))
		},
	}
	return m
}

func (m *msixModel) check(off uint64, width int) {
	if width != 4 || off%4 != 0 {
		m.t.Errorf("table access of %d bytes at %#x", width, off)
	}
}

func (m *msixModel) control() uint16 { return m.f.fns[virtioNet].get16(0x98 + 2) }

// masked is whether entry i may not send: its mask, the function mask, or
// MSI-X off.
func (m *msixModel) masked(i int) bool {
	ctl := m.control()
	return m.bar[16*i+msixVectorCtl]&msixVectorMask != 0 ||
		ctl&msixFunctionMask != 0 || ctl&msixEnable == 0
}

// fire sends entry i's message, as the device would.
func (m *msixModel) fire(i int, p *hwtest.Interrupts) error {
	if m.masked(i) {
		return errors.New("masked")
	}
	e := m.bar[16*i:]
	addr := uint64(binary.LittleEndian.Uint32(e[4:]))<<32 | uint64(binary.LittleEndian.Uint32(e))
	return p.Deliver(addr, binary.LittleEndian.Uint32(e[8:]))
}

func TestMSIX(t *testing.T) {
	f := qemuPC()
	d, _ := Probe(f, virtioNet)
	m, ok := d.MSIX()
	if !ok || m.Offset != 0x98 || m.TableSize != 3 || m.TableBIR != 1 || m.TableOffset != 0 || m.PBABIR != 1 || m.PBAOffset != 0x800 {
		t.Fatalf("MSIX() = %+v, %v", m, ok)
	}
	bar, err := m.TableBAR()
	if err != nil || bar.Index != 1 || bar.Addr != 0xfebd1000 || bar.Size != 4096 {
		t.Fatalf("TableBAR = %+v, %v", bar, err)
	}
	if err := m.SetEntry(0, 0xfee00000, 1); err == nil {
		t.Error("SetEntry without a table window succeeded")
	}
	model := newMSIXModel(t, f, m.TableSize)
	m.Table = model.regs

	var p hwtest.Interrupts
	var msgs []hw.MSI
	for i := 0; i < 2; i++ {
		msg, _ := p.AllocMSI()
		msgs = append(msgs, msg)
	}
	if err := m.Enable(append(msgs, msgs...)); err == nil {
		t.Error("4 vectors accepted by a table of 3")
	}
	if err := m.Enable(msgs); err != nil {
		t.Fatal(err)
	}
	if ctl := model.control(); ctl&msixEnable == 0 || ctl&msixFunctionMask != 0 {
		t.Errorf("control = %#x, want enabled and unmasked", ctl)
	}
	for i, want := range []bool{false, false, true} {
		if got, _ := m.Masked(i); got != want {
			t.Errorf("entry %d masked = %v", i, got)
		}
	}
	d.EnableBusMaster()
	for i := range msgs {
		if err := model.fire(i, &p); err != nil {
			t.Fatalf("vector %d: %v", i, err)
		}
		if err := msgs[i].Wait(); err != nil {
			t.Fatal(err)
		}
	}
	if model.fire(2, &p) == nil {
		t.Error("unused entry 2 fired")
	}

	// Retarget entry 1: SetEntry masks it first and leaves it masked.
	if err := m.SetEntry(1, 0xfee01000, 7); err != nil {
		t.Fatal(err)
	}
	if masked, _ := m.Masked(1); !masked {
		t.Error("SetEntry left entry 1 unmasked")
	}
	if got := binary.LittleEndian.Uint32(model.bar[16:]); got != 0xfee01000 {
		t.Errorf("entry 1 address %#x", got)
	}
	if got := binary.LittleEndian.Uint32(model.bar[16+8:]); got != 7 {
		t.Errorf("entry 1 data %#x", got)
	}
	m.SetMasked(1, false)

	m.SetFunctionMask(true)
	if model.fire(0, &p) == nil {
		t.Error("fired with the function masked")
	}
	m.SetFunctionMask(false)
	m.Disable()
	if model.control()&msixEnable != 0 {
		t.Error("Disable left MSI-X on")
	}
	if err := m.SetMasked(3, true); err == nil {
		t.Error("SetMasked(3) of a table of 3 succeeded")
	}
	if err := m.SetEntry(0, 0xfee00001, 0); err == nil {
		t.Error("unaligned address accepted")
	}
}

func TestMSIXTableOutsideBAR(t *testing.T) {
	f := qemuPC()
	fn := f.fns[virtioNet]
	fn.set32(0x98+4, 0xff8|1, 0) // 3 entries from 0xff8 overrun 4 KiB
	d, _ := Probe(f, virtioNet)
	m, _ := d.MSIX()
	if _, err := m.TableBAR(); err == nil {
		t.Error("table overrunning its BAR accepted")
	}
	fn.set32(0x98+4, 2, 0) // BAR 2: not implemented
	d, _ = Probe(f, virtioNet)
	m, _ = d.MSIX()
	if _, err := m.TableBAR(); err == nil {
		t.Error("table in an unimplemented BAR accepted")
	}
}
