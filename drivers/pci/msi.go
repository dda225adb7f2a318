package pci

import (
	"errors"
	"fmt"
)

// MSI is a function's MSI capability (PCI 3.0 §6.8.1). Its layout
// depends on Message Control: the data register follows a 32-bit or a
// 64-bit address, and the mask and pending registers follow the data
// when per-vector masking is implemented.
type MSI struct {
	Device        Device
	Offset        uint8 // of the capability
	Is64          bool  // the address may be above 4 GiB
	PerVectorMask bool  // mask and pending registers present
	Vectors       int   // vectors the function could use (1-32); Enable uses one
}

// Message Control bits (PCI 3.0 §6.8.1.3).
const (
	msiEnable    = 1 << 0
	msiMMCShift  = 1      // Multiple Message Capable, 3 bits: log2 vectors
	msiMMEMask   = 7 << 4 // Multiple Message Enable
	msi64        = 1 << 7
	msiVectorMsk = 1 << 8
)

// MSI returns the function's MSI capability.
func (d Device) MSI() (MSI, bool) {
	c, ok := d.FindCapability(CapMSI)
	if !ok {
		return MSI{}, false
	}
	ctl := d.Read16(c.Offset + 2)
	mmc := int(ctl>>msiMMCShift) & 7
	if mmc > 5 {
		mmc = 5 // 110 and 111 are reserved
	}
	return MSI{
		Device:        d,
		Offset:        c.Offset,
		Is64:          ctl&msi64 != 0,
		PerVectorMask: ctl&msiVectorMsk != 0,
		Vectors:       1 << mmc,
	}, true
}

func (m MSI) control() uint8 { return m.Offset + 2 }
func (m MSI) data() uint8 {
	if m.Is64 {
		return m.Offset + 0x0c
	}
	return m.Offset + 0x08
}
func (m MSI) mask() uint8 { return m.data() + 4 }

// Enable makes the function signal its interrupt by writing data to addr,
// with one vector. MSI is off while the message changes, so no half-
// written address is ever used; with per-vector masking, vector 0 is
// unmasked. The function also needs bus mastering (EnableBusMaster) to
// send the write.
func (m MSI) Enable(addr uint64, data uint32) error {
	switch {
	case addr&3 != 0:
		return fmt.Errorf("pci: MSI address %#x not dword aligned", addr)
	case addr>>32 != 0 && !m.Is64:
		return fmt.Errorf("pci: %v: MSI address %#x above 4 GiB, function has 32-bit MSI", m.Device.Address, addr)
	case data>>16 != 0:
		return fmt.Errorf("pci: MSI data %#x wider than 16 bits", data)
	}
	d := m.Device
	ctl := d.Read16(m.control()) &^ (msiEnable | msiMMEMask)
	d.Write16(m.control(), ctl)
	d.Write32(m.Offset+4, uint32(addr))
	if m.Is64 {
		d.Write32(m.Offset+8, uint32(addr>>32))
	}
	d.Write16(m.data(), uint16(data))
	if m.PerVectorMask {
		d.Write32(m.mask(), d.Read32(m.mask())&^1)
	}
	d.Write16(m.control(), ctl|msiEnable) // Multiple Message Enable 0: one vector
	return nil
}

// Disable turns MSI off.
func (m MSI) Disable() {
	d := m.Device
	d.Write16(m.control(), d.Read16(m.control())&^msiEnable)
}

// ErrNoMask is returned by SetMasked without per-vector masking.
var ErrNoMask = errors.New("pci: MSI capability has no per-vector masking")

// SetMasked masks or unmasks vector 0. While it is masked the function
// holds the message pending instead of sending it (PCI 3.0 §6.8.1.7).
func (m MSI) SetMasked(masked bool) error {
	if !m.PerVectorMask {
		return ErrNoMask
	}
	d := m.Device
	v := d.Read32(m.mask()) &^ 1
	if masked {
		v |= 1
	}
	d.Write32(m.mask(), v)
	return nil
}
