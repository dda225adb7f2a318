package system

import (
	"reflect"
	"strings"
	"testing"

	"warren.dev/drivers/hw"
	"warren.dev/drivers/virtio"
	"warren.dev/kernel/acpi"
)

func TestACPIMMIOSlots(t *testing.T) {
	d := acpi.MMIODevices{Num: 3, Dropped: 2}
	d.Devices[0] = acpi.MMIODevice{Base: 0xfeb00e00, Size: 0x200, GSI: 23, Level: true}
	d.Devices[1] = acpi.MMIODevice{Base: 0xfeb00c00, Size: 0x200, GSI: 300, Level: true}
	d.Devices[2] = acpi.MMIODevice{Base: 0xd0000000, Size: 0x1000, GSI: 5, ActiveLow: true}
	slots, err := acpiMMIOSlots(&d)
	want := []virtio.MMIOSlot{
		{Base: 0xfeb00e00, Size: 0x200, IRQ: 23, Mode: hw.LineMode{Level: true}, ID: -1},
		{Base: 0xd0000000, Size: 0x1000, IRQ: 5, Mode: hw.LineMode{ActiveLow: true}, ID: -1},
	}
	if !reflect.DeepEqual(slots, want) {
		t.Errorf("slots %+v, want %+v", slots, want)
	}
	if err == nil || !strings.Contains(err.Error(), "0xfeb00c00 (ACPI): GSI 300") || !strings.Contains(err.Error(), "2 more") {
		t.Errorf("error %v", err)
	}
}
