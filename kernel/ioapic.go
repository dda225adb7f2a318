package kernel

import "warren.dev/kernel/mmio"

// The I/O APIC routes device interrupt lines to vectors (82093AA
// datasheet §3.2): level-triggered PCI INTx lines and edge-triggered
// ISA-style ones (a microVM's virtio-mmio devices); message-signalled
// interrupts bypass it.

const (
	ioapicBase   = 0xfec00000 // PC default (ACPI MADT would confirm it)
	ioregsel     = 0x00
	iowin        = 0x10
	ioapicVer    = 0x01
	ioredtbl     = 0x10
	redMasked    = 1 << 16
	redLevel     = 1 << 15
	redActiveLow = 1 << 13
)

var ioapicPins int

func ioapicRead(reg uint32) uint32 {
	mmio.Write32(ioapicBase+ioregsel, reg)
	return mmio.Read32(ioapicBase + iowin)
}

func ioapicWrite(reg, v uint32) {
	mmio.Write32(ioapicBase+ioregsel, reg)
	mmio.Write32(ioapicBase+iowin, v)
}

// initIOAPIC masks every pin. The page must be mapped.
//
// Context: kernel (no allocation, no pointer stores).
func initIOAPIC() {
	ioapicPins = int(ioapicRead(ioapicVer)>>16&0xff) + 1
	for pin := 0; pin < ioapicPins; pin++ {
		ioapicWrite(ioredtbl+2*uint32(pin), redMasked)
		ioapicWrite(ioredtbl+2*uint32(pin)+1, 0)
	}
}

// ioapicRoute points a pin at a vector on the local APIC apicID
// (physical destination mode, fixed delivery), left masked, with the
// trigger mode and polarity the line has (PCI INTx lines are
// level-triggered and active low, ISA interrupts edge-triggered and active
// high).
func ioapicRoute(pin int, vector uint8, apicID uint32, level, activeLow bool) {
	ioapicWrite(ioredtbl+2*uint32(pin)+1, apicID&0xff<<24)
	mode := uint32(0)
	if level {
		mode |= redLevel
	}
	if activeLow {
		mode |= redActiveLow
	}
	ioapicWrite(ioredtbl+2*uint32(pin), redMasked|mode|uint32(vector))
}

// ioapicMask masks or unmasks a routed pin.
func ioapicMask(pin int, masked bool) {
	v := ioapicRead(ioredtbl + 2*uint32(pin))
	if masked {
		v |= redMasked
	} else {
		v &^= redMasked
	}
	ioapicWrite(ioredtbl+2*uint32(pin), v)
}
