package e1000

import "warren.dev/drivers/e1000/internal/reg"

// VendorIntel is Intel's PCI vendor ID.
const VendorIntel = 0x8086

// PCI device IDs of the supported controllers.
const (
	Device82540EM = 0x100E // QEMU's e1000
	Device82545EM = 0x100F // QEMU's e1000-82545em
	Device82574L  = 0x10D3 // QEMU's e1000e, driven through its legacy interfaces
)

// chip holds what differs between supported controllers.
type chip struct {
	name      string
	eerdDone  uint32 // EERD done bit
	eerdShift uint   // EERD word address shift
	tso       bool   // TCP segmentation offload
}

func lookupChip(id uint16) (chip, bool) {
	switch id {
	case 0, Device82540EM:
		return chip{"82540EM", reg.EERD_DONE, reg.EERD_ADDR_SHIFT, true}, true
	case Device82545EM:
		return chip{"82545EM", reg.EERD_DONE, reg.EERD_ADDR_SHIFT, true}, true
	case Device82574L:
		return chip{"82574L", reg.EERD_DONE_82574, reg.EERD_ADDR_SHIFT_2, true}, true
	}
	return chip{}, false
}

// Supports reports whether Open drives the PCI function vendor:device.
func Supports(vendor, device uint16) bool {
	_, ok := lookupChip(device)
	return vendor == VendorIntel && device != 0 && ok
}
