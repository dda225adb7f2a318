package cpu

import (
	"testing"
	"unsafe"
)

func TestTSSDescriptor(t *testing.T) {
	lo, hi := TSSDescriptor(0xffff_8000_1234_5678, 103)
	if lo&0xffff != 103 || (lo>>16)&0xffffff != 0x345678 || (lo>>56)&0xff != 0x12 || (lo>>40)&0xff != 0x89 {
		t.Errorf("lo = %#x", lo)
	}
	if hi != 0xffff8000 {
		t.Errorf("hi = %#x", hi)
	}
}

func TestMakeGate(t *testing.T) {
	g := MakeGate(0x1122_3344_5566_7788, 0x08, 1, GateInterrupt)
	if g[0]&0xffff != 0x7788 || (g[0]>>16)&0xffff != 8 || (g[0]>>32)&7 != 1 || (g[0]>>40)&0xff != 0x8e || (g[0]>>48) != 0x5566 {
		t.Errorf("low quadword %#x", g[0])
	}
	if g[1] != 0x11223344 {
		t.Errorf("high quadword %#x", g[1])
	}
}

func TestTSSFields(t *testing.T) {
	var s TSS
	s.SetRSP0(0xdeadbeef00)
	s.SetIST(1, 0x1000)
	s.SetIST(7, 0x7000)
	s.SetNoIOBitmap()
	if s.RSP0() != 0xdeadbeef00 || s[36] != 0 || s[37] != 0x10 || s[36+48+1] != 0x70 || s[102] != 104 {
		t.Errorf("tss = %x", s)
	}
}

func TestPseudoDescriptorLayout(t *testing.T) {
	var p PseudoDescriptor
	if off := unsafe.Offsetof(p.Base) - unsafe.Offsetof(p.Limit); off != 2 {
		t.Fatalf("Base is %d bytes after Limit, want 2", off)
	}
}

func TestTrapFrameSize(t *testing.T) {
	var f TrapFrame
	// The kernel's entry code (kernel/entry_amd64.h, trapentry_amd64.s)
	// hard-codes these.
	if unsafe.Sizeof(f) != 176 || unsafe.Offsetof(f.CS) != 144 || unsafe.Offsetof(f.Vector) != 120 {
		t.Fatalf("size %d, CS at %d, Vector at %d", unsafe.Sizeof(f), unsafe.Offsetof(f.CS), unsafe.Offsetof(f.Vector))
	}
}
