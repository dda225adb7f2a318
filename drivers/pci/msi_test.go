package pci

import (
	"errors"
	"testing"

	"warren.dev/drivers/hw/hwtest"
)

// fireMSI is the function's side: with MSI enabled, bus mastering on and
// vector 0 unmasked, it writes its message, which the platform delivers.
func fireMSI(f *fakeConfig, a Address, off int, p *hwtest.Interrupts) error {
	fn := f.fns[a]
	ctl := fn.get16(off + 2)
	if ctl&msiEnable == 0 || fn.get16(RegCommand)&CmdBusMaster == 0 {
		return errors.New("MSI not enabled")
	}
	addr, data := uint64(fn.get32(off+4)), off+8
	if ctl&msi64 != 0 {
		addr |= uint64(fn.get32(off+8)) << 32
		data += 4
	}
	if ctl&msiVectorMsk != 0 && fn.get32(data+4)&1 != 0 {
		return errors.New("masked")
	}
	return p.Deliver(addr, uint32(fn.get16(data)))
}

func TestMSI64WithMasking(t *testing.T) {
	f := qemuPC()
	fn := f.fns[behind]
	fn.set16(0x50+2, fn.get16(0x52)|2<<4|msiEnable, msiEnable|msiMMEMask) // left on, 4 vectors
	fn.set32(0x50+0x10, 0xf, 0xf)                                         // all masked
	d, _ := Probe(f, behind)
	m, ok := d.MSI()
	if !ok || m.Offset != 0x50 || !m.Is64 || !m.PerVectorMask || m.Vectors != 4 {
		t.Fatalf("MSI() = %+v, %v", m, ok)
	}
	// The message changes only while MSI is off.
	f.onWrite = func(a Address, off uint8, v uint32) {
		if off >= 0x54 && off <= 0x5c && fn.get16(0x52)&msiEnable != 0 {
			t.Errorf("MSI register %#x written while enabled", off)
		}
	}
	var p hwtest.Interrupts
	p.AllocMSI()
	msg, _ := p.AllocMSI() // vector 1, so the data is not zero
	if err := m.Enable(msg.Addr|0x1_0000_0000, msg.Data); err != nil {
		t.Fatal(err)
	}
	if lo, hi, data := fn.get32(0x54), fn.get32(0x58), fn.get16(0x5c); lo != 0xfee00000 || hi != 1 || data != 1 {
		t.Errorf("address %#x:%#x data %#x", hi, lo, data)
	}
	if ctl := fn.get16(0x52); ctl&msiEnable == 0 || ctl&msiMMEMask != 0 {
		t.Errorf("control = %#x, want enabled with one vector", ctl)
	}
	if mask := fn.get32(0x60); mask != 0xe {
		t.Errorf("mask = %#x, want vector 0 unmasked", mask)
	}

	// Delivery, through the real address this time.
	f.onWrite = nil
	if err := m.Enable(msg.Addr, msg.Data); err != nil {
		t.Fatal(err)
	}
	d.EnableBusMaster()
	if err := fireMSI(f, behind, 0x50, &p); err != nil {
		t.Fatal(err)
	}
	if err := msg.Wait(); err != nil {
		t.Fatal(err)
	}
	if err := m.SetMasked(true); err != nil || fn.get32(0x60)&1 == 0 {
		t.Errorf("SetMasked(true): %v, mask %#x", err, fn.get32(0x60))
	}
	if fireMSI(f, behind, 0x50, &p) == nil {
		t.Error("masked vector fired")
	}
	m.SetMasked(false)
	m.Disable()
	if fn.get16(0x52)&msiEnable != 0 {
		t.Error("Disable left MSI on")
	}
}

func TestMSI32(t *testing.T) {
	f := qemuPC()
	fn := f.fns[bridge]
	d, _ := Probe(f, bridge)
	m, ok := d.MSI()
	if !ok || m.Is64 || m.PerVectorMask || m.Vectors != 1 {
		t.Fatalf("MSI() = %+v, %v", m, ok)
	}
	if err := m.Enable(0x1_fee0_0000, 5); err == nil {
		t.Error("address above 4 GiB accepted for 32-bit MSI")
	}
	if err := m.Enable(0xfee00002, 5); err == nil {
		t.Error("unaligned address accepted")
	}
	if err := m.Enable(0xfee00000, 0x10000); err == nil {
		t.Error("17-bit data accepted")
	}
	if fn.get16(0x52)&msiEnable != 0 {
		t.Error("a failed Enable enabled MSI")
	}
	if err := m.Enable(0xfee0f00c, 0x4041); err != nil {
		t.Fatal(err)
	}
	if lo, data := fn.get32(0x54), fn.get16(0x58); lo != 0xfee0f00c || data != 0x4041 {
		t.Errorf("address %#x data %#x", lo, data)
	}
	if fn.get16(0x52)&msiEnable == 0 {
		t.Error("not enabled")
	}
	if err := m.SetMasked(true); err != ErrNoMask {
		t.Errorf("SetMasked = %v, want ErrNoMask", err)
	}
	if _, ok := func() (MSI, bool) { d, _ := Probe(f, e1000); return d.MSI() }(); ok {
		t.Error("e1000 has MSI")
	}
}
