// Package pci finds the functions on a conventional PCI (or PCI Express,
// through its compatible 256-byte space) hierarchy, sizes their BARs, and
// programs what every driver needs from configuration space: the command
// register, the capability list, MSI and MSI-X.
//
// References are to the PCI Local Bus Specification 3.0 ("PCI 3.0").
// The host tests run against a register-level model of configuration
// space; testdata/pciprobe and testdata/msiprobe are programs to boot in
// QEMU that scan the real bus and raise MSI and MSI-X from an e1000e.
package pci

import "fmt"

// Address names one function: bus 0-255, device 0-31, function 0-7.
type Address struct{ Bus, Device, Function uint8 }

func (a Address) String() string {
	return fmt.Sprintf("%02x:%02x.%x", a.Bus, a.Device, a.Function)
}

// Config is access to configuration space, one aligned dword at a time
// (off is a multiple of 4). Reading an absent function returns all ones.
type Config interface {
	Read32(a Address, off uint8) uint32
	Write32(a Address, off uint8, v uint32)
}

// Header registers common to every layout (PCI 3.0 §6.1, Figure 6-1).
const (
	RegVendorID   = 0x00
	RegDeviceID   = 0x02
	RegCommand    = 0x04
	RegStatus     = 0x06
	RegRevision   = 0x08 // revision, prog-if, subclass, class
	RegHeaderType = 0x0e
	RegBAR0       = 0x10
	RegCapPtr     = 0x34 // header types 0 and 1
	RegIntLine    = 0x3c
	RegIntPin     = 0x3d

	// Header type 0.
	RegSubsystemVendor = 0x2c
	RegSubsystemID     = 0x2e

	// Header type 1, PCI-to-PCI bridges (PCI-to-PCI Bridge spec 1.2 §3.2).
	RegPrimaryBus     = 0x18
	RegSecondaryBus   = 0x19
	RegSubordinateBus = 0x1a
)

// Read8 reads one byte of configuration space.
func Read8(c Config, a Address, off uint8) uint8 {
	return uint8(c.Read32(a, off&^3) >> (8 * (off & 3)))
}

// Read16 reads a naturally aligned 16-bit register.
func Read16(c Config, a Address, off uint8) uint16 {
	return uint16(c.Read32(a, off&^3) >> (8 * (off & 2)))
}

// Write8 writes one byte, by reading and rewriting its dword.
func Write8(c Config, a Address, off uint8, v uint8) {
	rmw(c, a, off, 0xff<<(8*(off&3)), uint32(v)<<(8*(off&3)))
}

// Write16 writes a naturally aligned 16-bit register, by reading and
// rewriting its dword.
func Write16(c Config, a Address, off uint8, v uint16) {
	rmw(c, a, off, 0xffff<<(8*(off&2)), uint32(v)<<(8*(off&2)))
}

// rmw replaces the bits of mask in the dword holding off. The status
// register shares a dword with the command register, and its error bits
// are write-1-to-clear (PCI 3.0 §6.2.3): writing back what was read would
// clear them, so they are written as zeros, which leaves them alone.
//
// Other write-1-to-clear registers that share a dword with writable ones
// (a bridge's secondary status at 0x1e, PCI Express Device Status) must
// be written with Write32 and an explicit value.
func rmw(c Config, a Address, off uint8, mask, v uint32) {
	off &^= 3
	old := c.Read32(a, off)
	if off == RegCommand {
		old &= 0xffff // status: write zeros
	}
	c.Write32(a, off, old&^mask|v&mask)
}
