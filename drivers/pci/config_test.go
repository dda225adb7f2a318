package pci

import "testing"

func TestConfigAddress(t *testing.T) {
	for _, tc := range []struct {
		a    Address
		off  uint8
		want uint32
	}{
		{Address{0, 0, 0}, 0, 0x80000000},
		{Address{1, 2, 3}, 0x3c, 0x8001133c},
		{Address{0xff, 31, 7}, 0xfc, 0x80fffffc},
		{Address{0, 0, 0}, 0x3e, 0x8000003c}, // bits 1:0 stay 00 (type 0)
	} {
		if got := configAddress(tc.a, tc.off); got != tc.want {
			t.Errorf("configAddress(%v, %#x) = %#x, want %#x", tc.a, tc.off, got, tc.want)
		}
	}
}

func TestSubDwordAccess(t *testing.T) {
	f := newFakeConfig()
	a := Address{0, 1, 0}
	fn := f.add(a, 0x1234, 0x5678, 0xff0000, 0, HeaderNormal)
	fn.set32(0x40, 0x44332211, 0xffffffff)
	if v := Read8(f, a, 0x43); v != 0x44 {
		t.Errorf("Read8 = %#x", v)
	}
	if v := Read16(f, a, 0x42); v != 0x4433 {
		t.Errorf("Read16 = %#x", v)
	}
	Write8(f, a, 0x41, 0xaa)
	Write16(f, a, 0x42, 0xbbcc)
	if v := fn.get32(0x40); v != 0xbbccaa11 {
		t.Errorf("after writes: %#x", v)
	}
	if s := (Address{0x1a, 0x1f, 7}).String(); s != "1a:1f.7" {
		t.Errorf("String = %q", s)
	}
}

// Writing the command register must not write back the status bits it
// read: they are write-1-to-clear, and would be lost.
func TestCommandKeepsStatus(t *testing.T) {
	f := qemuPC()
	fn := f.fns[e1000]
	fn.set16(RegCommand, 0, 0x0547)
	const errs = 0x2000 | 0x8000 | 0x0100 // master abort, parity, data parity
	fn.space[RegStatus+1] |= errs >> 8
	fn.space[RegStatus] |= errs & 0xff
	d, _ := Probe(f, e1000)
	d.EnableMemory()
	d.EnableIO()
	d.EnableBusMaster()
	d.DisableINTx()
	if cmd := fn.get16(RegCommand); cmd != CmdIO|CmdMemory|CmdBusMaster|CmdINTxDisable {
		t.Errorf("command = %#x", cmd)
	}
	if st := fn.get16(RegStatus); st&errs != errs {
		t.Errorf("status = %#x: error bits cleared", st)
	}
	d.EnableINTx()
	if cmd := fn.get16(RegCommand); cmd&CmdINTxDisable != 0 {
		t.Errorf("command = %#x after EnableINTx", cmd)
	}
	// The fake's RW1C works: a 1 written clears.
	d.Write16(RegStatus, 0x2000)
	if st := fn.get16(RegStatus); st&errs != errs&^0x2000 {
		t.Errorf("status = %#x after clearing master abort", st)
	}
	fn.space[RegStatus] |= statusINTxState
	if !d.INTxAsserted() {
		t.Error("INTxAsserted = false")
	}
}
