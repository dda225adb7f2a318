package pci

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// summary is one line per device: what Scan is expected to report.
func summary(d Device) string {
	s := fmt.Sprintf("%v %04x:%04x class %02x%02x%02x rev %02x hdr %d mf %v sub %04x:%04x int %d/%d",
		d.Address, d.VendorID, d.DeviceID, d.Class, d.Subclass, d.ProgIF, d.Revision,
		d.HeaderType, d.MultiFunction, d.SubsystemVendor, d.SubsystemID, d.InterruptPin, d.InterruptLine)
	if d.HeaderType == HeaderBridge {
		s += fmt.Sprintf(" buses %d/%d/%d", d.PrimaryBus, d.SecondaryBus, d.SubordinateBus)
	}
	for _, b := range d.BARs {
		s += fmt.Sprintf(" bar%d=%v@%#x+%#x", b.Index, b.Kind, b.Addr, b.Size)
		if b.Prefetchable {
			s += "(pf)"
		}
	}
	return s
}

func TestScanQEMUPC(t *testing.T) {
	f := qemuPC()
	before := f.snapshot()
	// Every BAR write of all ones must find decoding off (PCI 3.0
	// §6.2.5.1), except on the host bridge.
	f.onWrite = func(a Address, off uint8, v uint32) {
		if off < RegBAR0 || off > 0x24 || v != 0xffffffff {
			return
		}
		if cmd := f.fns[a].get16(RegCommand); cmd&(CmdIO|CmdMemory) != 0 {
			t.Errorf("%v: BAR %#x sized with command %#x", a, off, cmd)
		}
	}
	devs := Scan(f)
	var got []string
	for _, d := range devs {
		got = append(got, summary(d))
		if d.Config != f {
			t.Errorf("%v: Config not set", d.Address)
		}
	}
	want := []string{
		"00:00.0 8086:1237 class 060000 rev 02 hdr 0 mf false sub 0000:0000 int 0/0",
		"00:01.0 8086:7000 class 060100 rev 00 hdr 0 mf true sub 0000:0000 int 0/0",
		"00:01.1 8086:7010 class 010180 rev 00 hdr 0 mf false sub 0000:0000 int 0/0 bar4=io@0xc060+0x10",
		"00:01.3 8086:7113 class 068000 rev 03 hdr 0 mf false sub 0000:0000 int 1/9",
		"00:02.0 1234:1111 class 030000 rev 02 hdr 0 mf false sub 0000:0000 int 0/0 bar0=mem32@0xfd000000+0x1000000(pf) bar2=mem32@0xfebd0000+0x1000",
		"00:03.0 8086:100e class 020000 rev 03 hdr 0 mf false sub 1af4:1100 int 1/11 bar0=mem32@0xfebc0000+0x20000 bar1=io@0xc000+0x40",
		"00:04.0 1af4:1041 class 020000 rev 01 hdr 0 mf false sub 1af4:1100 int 1/10 bar1=mem32@0xfebd1000+0x1000 bar4=mem64@0xfe000000+0x4000(pf)",
		"00:05.0 1b36:0001 class 060400 rev 00 hdr 1 mf false sub 1af4:1100 int 1/0 buses 0/1/1 bar0=mem32@0xfebd2000+0x100",
		"01:00.0 1af4:1042 class 010000 rev 01 hdr 0 mf false sub 0000:0000 int 0/0 bar0=mem64@0x800000000+0x100000(pf)",
	}
	if g, w := strings.Join(got, "\n"), strings.Join(want, "\n"); g != w {
		t.Errorf("Scan:\n%s\nwant:\n%s", g, w)
	}
	for a, b := range f.snapshot() {
		if !bytes.Equal(b, before[a]) {
			t.Errorf("%v: configuration space changed by Scan (BAR or command not restored)", a)
		}
	}
}

// A function 0 without the multi-function bit hides functions 1-7, which
// single-function devices may answer with copies of function 0.
func TestScanSingleFunctionIgnoresOtherFunctions(t *testing.T) {
	f := newFakeConfig()
	f.add(Address{0, 0, 0}, 0x8086, 0x1237, 0x060000, 0, HeaderNormal)
	f.add(Address{0, 2, 0}, 0x1af4, 0x1041, 0x020000, 0, HeaderNormal)
	f.add(Address{0, 2, 1}, 0x1af4, 0x1041, 0x020000, 0, HeaderNormal)
	// Absent function 0: the device is not there at all.
	f.add(Address{0, 3, 1}, 0x1af4, 0x1041, 0x020000, 0, HeaderNormal)
	devs := Scan(f)
	if len(devs) != 2 || devs[1].Address != (Address{0, 2, 0}) {
		t.Errorf("Scan = %v", addrs(devs))
	}
}

// Bridges whose numbering loops or is unconfigured must not hang Scan or
// list a bus twice; nested bridges are followed.
func TestScanBridgeNumbering(t *testing.T) {
	f := newFakeConfig()
	br := func(a Address, primary, secondary, subordinate uint8) {
		fn := f.add(a, 0x1b36, 0x0001, 0x060400, 0, HeaderBridge)
		fn.set32(RegPrimaryBus, uint32(subordinate)<<16|uint32(secondary)<<8|uint32(primary), 0xffffff)
	}
	br(Address{0, 1, 0}, 0, 2, 3)
	br(Address{0, 2, 0}, 0, 0, 0) // unconfigured
	br(Address{2, 0, 0}, 2, 3, 3) // nested
	br(Address{3, 0, 0}, 3, 2, 2) // back to bus 2
	br(Address{3, 1, 0}, 3, 3, 3) // to its own bus
	f.add(Address{3, 5, 0}, 0x8086, 0x100e, 0x020000, 0, HeaderNormal)
	f.add(Address{4, 0, 0}, 0x8086, 0x100e, 0x020000, 0, HeaderNormal) // unreachable
	got := fmt.Sprint(addrs(Scan(f)))
	if want := "[00:01.0 00:02.0 02:00.0 03:00.0 03:01.0 03:05.0]"; got != want {
		t.Errorf("Scan = %s, want %s", got, want)
	}
	if got := fmt.Sprint(addrs(ScanFrom(f, 4))); got != "[04:00.0]" {
		t.Errorf("ScanFrom(4) = %s", got)
	}
}

func addrs(devs []Device) []Address {
	var a []Address
	for _, d := range devs {
		a = append(a, d.Address)
	}
	return a
}
