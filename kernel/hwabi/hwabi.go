// Package hwabi is the contract between the kernel and the drivers'
// platform (warren.dev/drivers/hw/kernelhw): the system calls, above
// Linux's numbers, that give a driver running in the program DMA memory,
// device registers and interrupts. Only the program may make them.
package hwabi

const (
	// SysDMAAlloc (size, align) returns the physical (= virtual) address
	// of zeroed, physically contiguous memory.
	SysDMAAlloc = 502
	// SysDMAFree (addr, size) gives memory from SysDMAAlloc back.
	SysDMAFree = 503
	// SysMMIOMap (phys, size) maps device memory (not RAM) uncached at
	// its physical address.
	SysMMIOMap = 504
	// SysIRQMSI (vector *uint32) reserves a vector for a
	// message-signalled interrupt, stores it (the MSI data) at vector and
	// returns an interrupt file the netpoller waits on; the MSI address
	// is the boot CPU's local APIC, 0xfee00000.
	SysIRQMSI = 505
	// SysIRQLine (pin, flags) routes an I/O APIC pin to an interrupt file
	// and returns it; flags is IRQLineEdge or 0.
	SysIRQLine = 506
)

// IRQLineEdge, in SysIRQLine's flags, asks for an edge-triggered,
// active-high line (virtio-mmio, ISA); 0 is a level-triggered, active-low
// PCI INTx line.
const IRQLineEdge = 1
