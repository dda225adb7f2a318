package virtio

import (
	"errors"
	"fmt"
)

// Virtio structure types, the cfg_type of a vendor capability (§4.1.4).
const (
	CapCommonCfg       = 1
	CapNotifyCfg       = 2
	CapISRCfg          = 3
	CapDeviceCfg       = 4
	CapPCICfg          = 5
	CapSharedMemoryCfg = 8
	CapVendorCfg       = 9
)

// pciCapVendor is the PCI capability ID of vendor-specific capabilities.
const pciCapVendor = 0x09

// Cap is one virtio structure capability (struct virtio_pci_cap) as plain
// numbers: where in which BAR a structure lives.
type Cap struct {
	Type   uint8  // cfg_type: CapCommonCfg, ...
	BAR    uint8  // 0 to 5; other values are reserved
	ID     uint8  // meaning is device-type specific
	Offset uint64 // within the BAR
	Length uint64
	// NotifyOffMultiplier is the notify capability's extra field
	// (struct virtio_pci_notify_cap, §4.1.4.4); zero for other types.
	NotifyOffMultiplier uint32
}

// ConfigReader reads a PCI function's configuration space in aligned
// 32-bit units (capabilities are dword aligned, so that is enough).
type ConfigReader interface {
	ReadConfig32(off int) uint32
}

// Capability layout (struct virtio_pci_cap, §4.1.4).
const (
	capLenBase   = 16 // through length
	capLenNotify = 20 // plus notify_off_multiplier
	capLen64     = 24 // struct virtio_pci_cap64: plus offset_hi, length_hi
)

// ErrNotVirtioCap is returned by ReadCap for a capability that is not a
// vendor-specific one.
var ErrNotVirtioCap = errors.New("virtio: not a vendor-specific capability")

// ReadCap parses the virtio structure capability whose first byte
// (cap_vndr) is at off in configuration space. cap_len may be larger than
// the structure (§4.1.4.1: the driver MUST accept that).
func ReadCap(cfg ConfigReader, off int) (Cap, error) {
	if off&3 != 0 {
		return Cap{}, fmt.Errorf("virtio: capability at unaligned offset %#x", off)
	}
	w0 := cfg.ReadConfig32(off)
	if uint8(w0) != pciCapVendor {
		return Cap{}, ErrNotVirtioCap
	}
	capLen := int(uint8(w0 >> 16))
	w1 := cfg.ReadConfig32(off + 4)
	c := Cap{Type: uint8(w0 >> 24), BAR: uint8(w1), ID: uint8(w1 >> 8)}
	if capLen < capLenBase {
		return Cap{}, fmt.Errorf("virtio: capability type %d at %#x has cap_len %d", c.Type, off, capLen)
	}
	c.Offset = uint64(cfg.ReadConfig32(off + 8))
	c.Length = uint64(cfg.ReadConfig32(off + 12))
	switch c.Type {
	case CapNotifyCfg:
		if capLen < capLenNotify {
			return Cap{}, fmt.Errorf("virtio: notify capability at %#x has cap_len %d", off, capLen)
		}
		c.NotifyOffMultiplier = cfg.ReadConfig32(off + 16)
	case CapSharedMemoryCfg:
		if capLen >= capLen64 {
			c.Offset |= uint64(cfg.ReadConfig32(off+16)) << 32
			c.Length |= uint64(cfg.ReadConfig32(off+20)) << 32
		}
	}
	return c, nil
}
