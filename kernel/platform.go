package kernel

import (
	"warren.dev/boot/multiboot"
	"warren.dev/kernel/acpi"
	"warren.dev/kernel/cpu"
)

// What the machine has beyond the fixed PC layout of board.go: a microVM
// may lack the PIT's port 0x61, isa-debug-exit, the i8042 or ACPI itself,
// so the clock and power-off ask the ACPI tables where their registers
// are.

// acpiInfo is read once in kmain; its zero value (no ACPI) is valid.
var acpiInfo acpi.Info

// mmioDevices are the virtio-mmio devices the DSDT and SSDTs declare,
// read once in kmain; the program asks for them (sysMMIODevices).
var mmioDevices acpi.MMIODevices

// readACPI finds the ACPI tables (through the PVH loader's RSDP, else by
// the PC firmware's scan) and keeps what the clock and power-off need,
// the processors (madt) and the virtio-mmio devices. It runs before
// setupMemory, while the boot identity map shows the firmware's tables.
//
// Context: kernel (no allocation, no pointer stores).
func readACPI(info *multiboot.Info) {
	rsdp, err := acpi.FindRSDP(physMemory{}, info.RSDP)
	if err != nil {
		return // no ACPI: the PC's fixed layout and one CPU
	}
	if err := acpi.Read(physMemory{}, rsdp, &acpiInfo); err != nil {
		logs(err.Error())
	}
	if err := acpi.ReadMADT(physMemory{}, rsdp, &madt); err != nil && err != acpi.ErrNoMADT {
		logs(err.Error())
	}
	// Read has reported a missing or bad FADT or DSDT already.
	if err := acpi.ReadMMIODevices(physMemory{}, rsdp, &mmioDevices); err == acpi.ErrMMIOResource {
		logs(err.Error())
	}
}

// hardware is the processor and port I/O, for the plain-Go calibration
// (kernel/tsc) and power-off code.
type hardware struct{}

func (hardware) CPUID(leaf, subleaf uint32) (a, b, c, d uint32) { return cpu.Cpuid(leaf, subleaf) }
func (hardware) TSC() uint64                                    { return cpu.Rdtsc() }
func (hardware) Inb(port uint16) uint8                          { return cpu.Inb(port) }
func (hardware) Outb(port uint16, v uint8)                      { cpu.Outb(port, v) }
func (hardware) Inw(port uint16) uint16                         { return cpu.Inw(port) }
func (hardware) Outw(port uint16, v uint16)                     { cpu.Outw(port, v) }
func (hardware) Inl(port uint16) uint32                         { return cpu.Inl(port) }
func (hardware) Outl(port uint16, v uint32)                     { cpu.Outl(port, v) }
