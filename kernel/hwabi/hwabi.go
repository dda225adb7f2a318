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
	// SysIRQMSI (msg *MSI) reserves a vector for a message-signalled
	// interrupt on a CPU the kernel chooses, stores the message the
	// device must write at msg and returns an interrupt file the
	// netpoller waits on.
	SysIRQMSI = 505
	// SysIRQLine (pin, flags) routes an I/O APIC pin to an interrupt file
	// and returns it, with the trigger mode and polarity flags give.
	SysIRQLine = 506
	// SysMMIODevices (buf, size) copies the first min(size, its size)
	// bytes of the acpi.MMIODevices the kernel read from the ACPI tables
	// at boot to buf and returns its size.
	SysMMIODevices = 534
)

// MSI is a message-signalled interrupt as SysIRQMSI gives it: the
// address (a CPU's local APIC, SDM Vol. 3A §11.11.1) and the data (the
// vector) a device writes to raise it.
type MSI struct {
	Addr, Data uint32
}

// SysIRQLine's flags: 0 is a level-triggered, active-low PCI INTx line;
// IRQLineEdge asks for an edge-triggered line, IRQLineActiveHigh for an
// active-high one (ISA lines and the virtio-mmio options' devices: both;
// a microVM's virtio-mmio devices as its ACPI tables describe them:
// IRQLineActiveHigh alone).
const (
	IRQLineEdge       = 1
	IRQLineActiveHigh = 2
)
