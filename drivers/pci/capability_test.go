package pci

import (
	"fmt"
	"testing"
)

func TestCapabilitiesVirtio(t *testing.T) {
	d, _ := Probe(qemuPC(), virtioNet)
	got := fmt.Sprint(d.Capabilities())
	if want := "[{17 152} {9 132} {9 112} {9 96} {9 80} {9 64}]"; got != want {
		t.Errorf("Capabilities = %s, want %s", got, want)
	}
	if c, ok := d.FindCapability(CapMSIX); !ok || c.Offset != 0x98 {
		t.Errorf("FindCapability(MSI-X) = %v, %v", c, ok)
	}
	if _, ok := d.FindCapability(CapMSI); ok {
		t.Error("FindCapability(MSI) found one")
	}
	// What a virtio driver does with them: cfg_type at +3, bar at +4,
	// offset at +8.
	var types []string
	for _, c := range d.VendorCapabilities() {
		types = append(types, fmt.Sprintf("%d:bar%d+%#x", d.Read8(c.Offset+3), d.Read8(c.Offset+4), d.Read32(c.Offset+8)))
	}
	if got, want := fmt.Sprint(types), "[5:bar0+0x0 2:bar4+0x3000 4:bar4+0x2000 3:bar4+0x1000 1:bar4+0x0]"; got != want {
		t.Errorf("vendor capabilities %s, want %s", got, want)
	}
	if d, _ := Probe(qemuPC(), e1000); d.Capabilities() != nil {
		t.Errorf("e1000 (status bit 4 clear) has %v", d.Capabilities())
	}
}

func TestCapabilitiesMalformed(t *testing.T) {
	for _, tc := range []struct {
		name  string
		build func(fn *fakeFn)
		want  string
	}{
		{"cycle", func(fn *fakeFn) {
			fn.addCap(0x40, CapPowerManagement)
			fn.addCap(0x50, CapMSI)
			fn.space[0x51] = 0x40
		}, "[{1 64} {5 80}]"},
		{"self loop", func(fn *fakeFn) {
			fn.addCap(0x40, CapVendor)
			fn.space[0x41] = 0x40
		}, "[{9 64}]"},
		{"into the header", func(fn *fakeFn) {
			fn.addCap(0x40, CapPowerManagement)
			fn.space[0x41] = 0x10 // BAR 0
		}, "[{1 64}]"},
		{"header pointer into the header", func(fn *fakeFn) {
			fn.addCap(0x40, CapPowerManagement)
			fn.space[RegCapPtr] = 0x08
		}, "[]"},
		{"reserved low bits", func(fn *fakeFn) {
			fn.addCap(0x40, CapPowerManagement)
			fn.addCap(0x60, CapMSI)
			fn.space[RegCapPtr] = 0x43
			fn.space[0x41] = 0x62
		}, "[{1 64} {5 96}]"},
		{"status bit clear", func(fn *fakeFn) {
			fn.addCap(0x40, CapPowerManagement)
			fn.space[RegStatus] &^= StatusCapList
		}, "[]"},
		{"id 0xff", func(fn *fakeFn) {
			fn.addCap(0x40, CapPowerManagement)
			fn.addCap(0x44, 0xff)
			fn.addCap(0x48, CapMSI)
		}, "[{1 64}]"},
		{"every dword", func(fn *fakeFn) {
			for off := 0x40; off < 0x100; off += 4 {
				fn.addCap(uint8(off), CapVendor)
			}
			fn.space[0xfd] = 0x40 // and round again
		}, ""},
	} {
		f := newFakeConfig()
		a := Address{0, 1, 0}
		tc.build(f.add(a, 0x1234, 0x5678, 0xff0000, 0, HeaderNormal))
		d, _ := Probe(f, a)
		caps := d.Capabilities()
		if tc.want == "" {
			if len(caps) != (0x100-0x40)/4 {
				t.Errorf("%s: %d capabilities", tc.name, len(caps))
			}
			continue
		}
		if got := fmt.Sprint(caps); got != tc.want {
			t.Errorf("%s: Capabilities = %s, want %s", tc.name, got, tc.want)
		}
	}
}

// An absent function reads all ones: status bit 4 set, pointer 0xfc, ID
// 0xff. The walk ends at once.
func TestCapabilitiesAbsent(t *testing.T) {
	d := Device{Config: newFakeConfig(), Address: Address{9, 9, 0}}
	if caps := d.Capabilities(); len(caps) != 0 {
		t.Errorf("Capabilities = %v", caps)
	}
}

func TestBridgeCapabilities(t *testing.T) {
	d, _ := Probe(qemuPC(), bridge)
	if got := fmt.Sprint(d.Capabilities()); got != "[{5 80} {13 72}]" {
		t.Errorf("Capabilities = %s", got)
	}
}
