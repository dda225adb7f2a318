// Package acpi reads the little of the firmware's ACPI tables the kernel
// needs on a machine that is not a PC with a known layout: where the PM
// timer is (to calibrate the TSC), how to enter S5 (to power off),
// which processors and interrupt controllers there are (the MADT), and
// which virtio-mmio devices the DSDT and SSDTs declare.
//
// It runs in kmain before the Go runtime exists, under the boot identity
// map: nothing here allocates, panics or keeps state of its own, and Info,
// MADT and MMIODevices hold integers only.
package acpi

import "encoding/binary"

// Memory gives views of physical memory: Bytes returns the n bytes at
// physical address addr, or false if any lies outside what is mapped.
// multiboot.Memory is the same interface.
type Memory interface {
	Bytes(addr, n uint64) ([]byte, bool)
}

// Info is what the kernel keeps of the tables. Ports are system I/O ports;
// a register the firmware put in memory space is left out (0).
type Info struct {
	PMTimerPort uint16 // ACPI PM timer (3.579545 MHz); 0: none
	PMTimer32   bool   // the timer counts 32 bits, not 24

	PM1aControl, PM1bControl uint16 // PM1 control blocks; 0: none
	SleepControl             uint16 // hardware-reduced ACPI's sleep control register; 0: none
	HasS5                    bool   // the DSDT names \_S5_
	S5TypeA, S5TypeB         uint8  // its SLP_TYPa and SLP_TYPb
}

// PMTimerHz is the ACPI PM timer's frequency.
const PMTimerHz = 3579545

// maxTable bounds a table's length: a larger one is taken for corruption.
const maxTable = 1 << 20

var le = binary.LittleEndian

// Read fills info from the tables the RSDP at rsdp points to (FindRSDP
// finds one): the FADT through the XSDT, or the RSDT before ACPI 2.0, and
// the DSDT it names. Every table's length and checksum are checked.
func Read(mem Memory, rsdp uint64, info *Info) error {
	*info = Info{}
	fadt, err := findTable(mem, rsdp, "FACP")
	if err == errNotFound {
		return ErrNoFADT
	}
	if err != nil {
		return err
	}
	dsdt := readFADT(fadt, info)
	if dsdt == 0 {
		return ErrNoDSDT
	}
	aml, err := table(mem, dsdt, "DSDT")
	if err != nil {
		return err
	}
	info.S5TypeA, info.S5TypeB, info.HasS5 = FindS5(aml[headerLen:])
	return nil
}
