package kernel

import (
	"fmt"
	"reflect"
	"testing"

	"warren.dev/kernel/acpi"
)

// fakePorts records writes; reads return a port's value in in, else all
// ones as an empty port does.
type fakePorts struct {
	in     map[uint16]uint16
	writes []string
}

func (f *fakePorts) read(port uint16) uint16 {
	if v, ok := f.in[port]; ok {
		return v
	}
	return 0xffff
}
func (f *fakePorts) Inb(port uint16) uint8  { return uint8(f.read(port)) }
func (f *fakePorts) Inw(port uint16) uint16 { return f.read(port) }
func (f *fakePorts) Outb(port uint16, v uint8) {
	f.writes = append(f.writes, fmt.Sprintf("b %#x %#x", port, v))
}
func (f *fakePorts) Outw(port uint16, v uint16) {
	f.writes = append(f.writes, fmt.Sprintf("w %#x %#x", port, v))
}

func TestDebugExitPresent(t *testing.T) {
	if debugExitPresent(&fakePorts{}) {
		t.Error("an empty port taken for isa-debug-exit")
	}
	if !debugExitPresent(&fakePorts{in: map[uint16]uint16{debugExitPort: 0}}) {
		t.Error("isa-debug-exit (reads 0) not found")
	}
}

func TestEnterS5(t *testing.T) {
	for _, tc := range []struct {
		name string
		info acpi.Info
		in   map[uint16]uint16
		ok   bool
		want []string
	}{
		{"no tables", acpi.Info{}, nil, false, nil},
		{"no \\_S5_", acpi.Info{PM1aControl: 0x604}, nil, false, nil},
		// QEMU's pc and q35: SLP_TYP 0; SCI_EN (bit 0) is kept.
		{"PM1a", acpi.Info{PM1aControl: 0x604, HasS5: true}, map[uint16]uint16{0x604: 0x1c01}, true,
			[]string{"w 0x604 0x1", "w 0x604 0x2001"}},
		{"PM1a and PM1b", acpi.Info{PM1aControl: 0x404, PM1bControl: 0x408, HasS5: true, S5TypeA: 7, S5TypeB: 5},
			map[uint16]uint16{0x404: 0, 0x408: 0}, true,
			[]string{"w 0x404 0x1c00", "w 0x404 0x3c00", "w 0x408 0x1400", "w 0x408 0x3400"}},
		{"hardware-reduced", acpi.Info{SleepControl: 0x3c0, HasS5: true, S5TypeA: 5}, nil, true,
			[]string{"b 0x3c0 0x34"}},
	} {
		p := &fakePorts{in: tc.in}
		ok := enterS5(p, &tc.info)
		if ok != tc.ok || !reflect.DeepEqual(p.writes, tc.want) {
			t.Errorf("%s: enterS5 = %v, wrote %q; want %v, %q", tc.name, ok, p.writes, tc.ok, tc.want)
		}
	}
}
