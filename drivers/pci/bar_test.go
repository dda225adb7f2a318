package pci

import (
	"fmt"
	"testing"
)

func TestBAREdgeCases(t *testing.T) {
	f := newFakeConfig()
	a := Address{0, 1, 0}
	fn := f.add(a, 0x1234, 0x5678, 0xff0000, 0, HeaderNormal)
	fn.ioBAR(0, 0x1000, 256, true)                                             // 16-bit decoder
	fn.set32(RegBAR0+4, 0x0, 0)                                                // unimplemented
	fn.set32(RegBAR0+8, 0xfebf0000|barMemType64|barMemType32|barMemTypeLow, 0) // type 11, reserved
	fn.mem32BAR(3, 0xfeb00000, 16, false)                                      // smallest memory BAR
	fn.set32(RegBAR0+16, 0x000f0000|barMemTypeLow, 0xffff0000)                 // PCI 2.x below 1 MB
	fn.set32(RegBAR0+20, 0xfe000000|barMemType64, 0xffff0000)                  // 64-bit in the last slot
	fn.set16(RegCommand, CmdIO|CmdMemory, 0x0547)
	d, ok := Probe(f, a)
	if !ok {
		t.Fatal("Probe: absent")
	}
	got := summary(d)
	want := "00:01.0 1234:5678 class ff0000 rev 00 hdr 0 mf false sub 0000:0000 int 0/0 " +
		"bar0=io@0x1000+0x100 bar3=mem32@0xfeb00000+0x10 bar4=mem32@0xf0000+0x10000"
	if got != want {
		t.Errorf("BARs = %s\nwant   %s", got, want)
	}
	if cmd := fn.get16(RegCommand); cmd != CmdIO|CmdMemory {
		t.Errorf("command = %#x after sizing", cmd)
	}
	if b, ok := d.BAR(3); !ok || b.Addr != 0xfeb00000 {
		t.Errorf("BAR(3) = %v, %v", b, ok)
	}
	if _, ok := d.BAR(1); ok {
		t.Error("BAR(1) of an unimplemented BAR")
	}
}

// Host bridges keep decoding while sized (Linux's mmio_always_on): on
// some, the memory enable gates main memory.
func TestBARHostBridgeKeepsDecoding(t *testing.T) {
	f := newFakeConfig()
	a := Address{0, 0, 0}
	fn := f.add(a, 0x8086, 0x29c0, 0x060000, 0, HeaderNormal)
	fn.mem32BAR(0, 0xe0000000, 1<<28, false)
	fn.set16(RegCommand, CmdMemory, 0x0547)
	f.onWrite = func(_ Address, off uint8, _ uint32) {
		if off == RegCommand {
			t.Errorf("command register written on a host bridge")
		}
	}
	d, _ := Probe(f, a)
	if len(d.BARs) != 1 || d.BARs[0].Size != 1<<28 {
		t.Errorf("BARs = %v", d.BARs)
	}
}

// A bridge has two BARs; the dword after them holds its bus numbers,
// which sizing must not touch.
func TestBARBridgeHasTwo(t *testing.T) {
	f := qemuPC()
	f.onWrite = func(a Address, off uint8, v uint32) {
		if a == bridge && off >= 0x18 && off <= 0x24 {
			t.Errorf("bridge register %#x written with %#x", off, v)
		}
	}
	if _, ok := Probe(f, bridge); !ok {
		t.Fatal("bridge absent")
	}
}

func TestBARKindString(t *testing.T) {
	if s := fmt.Sprint(Memory32, Memory64, IO, BARKind(9)); s != "mem32 mem64 io BARKind(9)" {
		t.Errorf("String = %q", s)
	}
}
