package pci

// Header layouts, the low 7 bits of the header type register (PCI 3.0
// §6.2.1); bit 7 marks a multi-function device.
const (
	HeaderNormal  = 0x00
	HeaderBridge  = 0x01 // PCI-to-PCI bridge
	HeaderCardBus = 0x02
	headerMulti   = 0x80
)

// Device is one function as probed.
type Device struct {
	// Config is the configuration space the function was found in; the
	// methods of Device go through it.
	Config  Config
	Address Address

	VendorID, DeviceID uint16
	Class, Subclass    uint8
	ProgIF, Revision   uint8
	HeaderType         uint8 // layout, bits 6:0: HeaderNormal, ...
	MultiFunction      bool  // header type bit 7 (meaningful on function 0)
	SubsystemVendor    uint16
	SubsystemID        uint16
	InterruptLine      uint8 // as firmware routed it; 0xff: unknown
	InterruptPin       uint8 // 0 none, 1-4 INTA#-INTD#
	BARs               []BAR // implemented BARs, by index
	// Bridges: the bus numbers firmware configured.
	PrimaryBus, SecondaryBus, SubordinateBus uint8
}

// Probe reads the function at a, sizing its BARs. It reports false when
// no function answers: a vendor ID of 0xffff (a master abort, PCI 3.0
// §6.2.1), or 0x0000, which some hierarchies return for absent slots.
func Probe(c Config, a Address) (Device, bool) {
	id := c.Read32(a, RegVendorID)
	if v := uint16(id); v == 0xffff || v == 0 {
		return Device{}, false
	}
	d := Device{Config: c, Address: a, VendorID: uint16(id), DeviceID: uint16(id >> 16)}
	rev := c.Read32(a, RegRevision)
	d.Revision, d.ProgIF, d.Subclass, d.Class = uint8(rev), uint8(rev>>8), uint8(rev>>16), uint8(rev>>24)
	ht := d.Read8(RegHeaderType)
	d.HeaderType, d.MultiFunction = ht&^headerMulti, ht&headerMulti != 0
	d.InterruptLine, d.InterruptPin = d.Read8(RegIntLine), d.Read8(RegIntPin)
	switch d.HeaderType {
	case HeaderNormal:
		d.SubsystemVendor, d.SubsystemID = d.Read16(RegSubsystemVendor), d.Read16(RegSubsystemID)
	case HeaderBridge:
		buses := c.Read32(a, RegPrimaryBus&^3)
		d.PrimaryBus, d.SecondaryBus, d.SubordinateBus = uint8(buses), uint8(buses>>8), uint8(buses>>16)
		// A bridge's header has no room for subsystem IDs; they live in
		// a capability (ID 0x0d, PCI Code and ID Assignment spec).
		if cp, ok := d.FindCapability(CapBridgeSubsystem); ok {
			d.SubsystemVendor, d.SubsystemID = d.Read16(cp.Offset+4), d.Read16(cp.Offset+6)
		}
	}
	d.BARs = sizeBARs(d)
	return d, true
}

// BAR returns the implemented BAR with index i.
func (d Device) BAR(i int) (BAR, bool) {
	for _, b := range d.BARs {
		if b.Index == i {
			return b, true
		}
	}
	return BAR{}, false
}

// Read8 reads a byte of the function's configuration space.
func (d Device) Read8(off uint8) uint8 { return Read8(d.Config, d.Address, off) }

// Read16 reads an aligned 16-bit register.
func (d Device) Read16(off uint8) uint16 { return Read16(d.Config, d.Address, off) }

// Read32 reads an aligned dword.
func (d Device) Read32(off uint8) uint32 { return d.Config.Read32(d.Address, off) }

// Write8 writes a byte (see Write8 for what is rewritten around it).
func (d Device) Write8(off uint8, v uint8) { Write8(d.Config, d.Address, off, v) }

// Write16 writes an aligned 16-bit register (see Write16).
func (d Device) Write16(off uint8, v uint16) { Write16(d.Config, d.Address, off, v) }

// Write32 writes an aligned dword.
func (d Device) Write32(off uint8, v uint32) { d.Config.Write32(d.Address, off, v) }
