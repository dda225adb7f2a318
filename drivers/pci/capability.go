package pci

// Capability IDs (PCI Code and ID Assignment spec, §2).
const (
	CapPowerManagement = 0x01
	CapMSI             = 0x05
	CapVendor          = 0x09 // vendor-specific; virtio's structures
	CapBridgeSubsystem = 0x0d
	CapPCIExpress      = 0x10
	CapMSIX            = 0x11
)

// Capability is one entry of the capability list: its ID, and the offset
// of its first byte (the ID; the next pointer follows, then the body).
type Capability struct {
	ID     uint8
	Offset uint8
}

// capPtrCardBus is where a CardBus bridge keeps its list pointer.
const capPtrCardBus = 0x14

// Capabilities walks the function's capability list (PCI 3.0 §6.7): it
// exists when status bit 4 is set, starts at the pointer in the header,
// and each entry holds its ID and the next pointer, 0 ending the list.
// Pointers have their reserved low two bits masked. A pointer into the
// predefined header (below 0x40), an ID of 0xff (a read of an absent
// function), or an entry already visited ends the walk, so a malformed
// or cyclic list yields the entries before the fault and never hangs.
func (d Device) Capabilities() []Capability {
	if d.Read16(RegStatus)&StatusCapList == 0 {
		return nil
	}
	ptr := uint8(RegCapPtr)
	if d.HeaderType == HeaderCardBus {
		ptr = capPtrCardBus
	}
	var caps []Capability
	var seen [256 / 4]bool // by dword; entries are dword aligned
	for off := d.Read8(ptr) &^ 3; off >= 0x40 && !seen[off/4]; {
		seen[off/4] = true
		w := d.Read16(off)
		id := uint8(w)
		if id == 0xff {
			break
		}
		caps = append(caps, Capability{ID: id, Offset: off})
		off = uint8(w>>8) &^ 3
	}
	return caps
}

// FindCapability returns the first capability with the given ID.
func (d Device) FindCapability(id uint8) (Capability, bool) {
	for _, c := range d.Capabilities() {
		if c.ID == id {
			return c, true
		}
	}
	return Capability{}, false
}

// CapabilitiesByID returns every capability with the given ID, in list
// order. Several vendor-specific ones are usual: a virtio device has one
// per structure, telling them apart by a byte of their own (cfg_type at
// Offset+3), which its driver parses.
func (d Device) CapabilitiesByID(id uint8) []Capability {
	var out []Capability
	for _, c := range d.Capabilities() {
		if c.ID == id {
			out = append(out, c)
		}
	}
	return out
}

// VendorCapabilities returns the vendor-specific capabilities (ID 0x09).
func (d Device) VendorCapabilities() []Capability { return d.CapabilitiesByID(CapVendor) }
