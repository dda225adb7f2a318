package virtio_test

import (
	"slices"
	"strings"
	"testing"

	"warren.dev/drivers/virtio"
)

func TestMMIOSlots(t *testing.T) {
	slots, err := virtio.MMIOSlots([]string{
		"ip=dhcp",
		"virtio_mmio.device=512@0xfeb00e00:12",
		"virtio_mmio.device=4K@0xd0000000:5:3",
		"virtio_mmio.device=0x200@4273995776:30",
		"virtio_mmio.device=1M@0x1000:255",
		"virtio_mmio.dev=512@0x1000:5",
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []virtio.MMIOSlot{
		{Base: 0xfeb00e00, Size: 512, IRQ: 12, ID: -1},
		{Base: 0xd0000000, Size: 4096, IRQ: 5, ID: 3},
		{Base: 0xfec00000, Size: 0x200, IRQ: 30, ID: -1},
		{Base: 0x1000, Size: 1 << 20, IRQ: 255, ID: -1},
	}
	if !slices.Equal(slots, want) {
		t.Fatalf("slots\n got %+v\nwant %+v", slots, want)
	}
}

func TestMMIOSlotsErrors(t *testing.T) {
	for _, c := range []struct{ opt, why string }{
		{"virtio_mmio.device=512", "no @"},
		{"virtio_mmio.device=512@0xfeb00000", "no :IRQ"},
		{"virtio_mmio.device=@0xfeb00000:5", `size ""`},
		{"virtio_mmio.device=0@0xfeb00000:5", `size "0"`},
		{"virtio_mmio.device=12X@0xfeb00000:5", `size "12X"`},
		{"virtio_mmio.device=512@feb00000:5", `base address "feb00000"`},
		{"virtio_mmio.device=512@0xfffffffffffffff0:5", "end of the address space"},
		{"virtio_mmio.device=512@0xfeb00000:256", `IRQ "256"`},
		{"virtio_mmio.device=512@0xfeb00000:0x5", `IRQ "0x5"`},
		{"virtio_mmio.device=512@0xfeb00000:5:x", `ID "x"`},
		{"virtio_mmio.device=16E@0x0:5", `size "16E"`},
	} {
		good := "virtio_mmio.device=512@0xfeb00e00:12"
		slots, err := virtio.MMIOSlots([]string{c.opt, good})
		if err == nil || !strings.Contains(err.Error(), "bad boot option "+c.opt+":") || !strings.Contains(err.Error(), c.why) {
			t.Errorf("%s: error %v, want the option named and %q", c.opt, err, c.why)
		}
		if len(slots) != 1 || slots[0].Base != 0xfeb00e00 {
			t.Errorf("%s: the good option beside it gave %+v", c.opt, slots)
		}
	}
}
