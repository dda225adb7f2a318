// Package hw is what device drivers get from the platform: DMA memory,
// register windows and interrupts. Drivers run as ordinary goroutines and
// see only these interfaces, so each is tested on the host against a
// register-level model of its device (package hwtest).
package hw

import "errors"

// DMA allocates memory a device can reach by physical address.
type DMA interface {
	// Alloc returns size bytes of zeroed, physically contiguous memory,
	// aligned to align (a power of two, at least 4096), and the physical
	// address of its first byte. The memory stays valid until Free.
	Alloc(size, align int) (buf []byte, pa uint64, err error)
	// Free returns memory from Alloc.
	Free(buf []byte)
}

// Regs is a window of device registers (a memory BAR, or a PCI I/O port
// range), accessed with explicit widths at byte offsets. Every access
// reaches the device; none is merged, split or reordered.
type Regs interface {
	Read8(off uint64) uint8
	Read16(off uint64) uint16
	Read32(off uint64) uint32
	Read64(off uint64) uint64
	Write8(off uint64, v uint8)
	Write16(off uint64, v uint16)
	Write32(off uint64, v uint32)
	Write64(off uint64, v uint64)
}

// Mapper makes device memory accessible.
type Mapper interface {
	// MapMMIO maps size bytes of device memory at physical address pa,
	// uncached.
	MapMMIO(pa, size uint64) (Regs, error)
	// PortIO returns a window onto I/O ports [base, base+size).
	PortIO(base uint16, size uint16) (Regs, error)
}

// Interrupt is one interrupt source as a driver sees it.
type Interrupt interface {
	// Wait blocks until the interrupt has fired at least once since the
	// previous Wait returned (at once if it already has). For a
	// level-triggered line the platform masks it when it fires and
	// unmasks it here, so the driver must have quieted the device (read
	// or acknowledged its cause) before calling Wait again.
	Wait() error
	// Close releases the interrupt; a blocked Wait returns ErrClosed.
	Close() error
}

// MSI is a message-signalled interrupt: the device writes Data to Addr.
type MSI struct {
	Addr uint64
	Data uint32
	Interrupt
}

// Interrupts hands out interrupt sources.
type Interrupts interface {
	// AllocMSI reserves a vector for an MSI or MSI-X message.
	AllocMSI() (MSI, error)
	// Line routes a legacy PCI interrupt line (INTx, as the interrupt line
	// register names it: level-triggered, active low).
	Line(irq uint8) (Interrupt, error)
	// GSILine routes GSI gsi (an I/O APIC pin) with the trigger mode and
	// polarity m, as a microVM's virtio-mmio devices have.
	GSILine(gsi uint8, m LineMode) (Interrupt, error)
}

// LineMode is how an interrupt line signals. The zero value is
// edge-triggered and active high, as ISA interrupts are.
type LineMode struct {
	Level, ActiveLow bool
}

// Platform bundles what a driver needs.
type Platform struct {
	DMA        DMA
	Mapper     Mapper
	Interrupts Interrupts
}

// ErrClosed is returned by Wait after Close.
var ErrClosed = errors.New("hw: interrupt closed")
