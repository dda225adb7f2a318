package acpi

import "errors"

// Errors of FindRSDP, Read, ReadMADT and ReadMMIODevices. They are package variables, which the
// compiler lays out statically, so they exist before the Go runtime runs.
var (
	ErrNoRSDP    = errors.New("acpi: no RSDP")
	ErrRange     = errors.New("acpi: a table lies outside memory")
	ErrLength    = errors.New("acpi: a table has an impossible length")
	ErrChecksum  = errors.New("acpi: a table's checksum is wrong")
	ErrSignature = errors.New("acpi: a table has the wrong signature")
	ErrNoFADT    = errors.New("acpi: no FADT")
	ErrNoDSDT    = errors.New("acpi: the FADT names no DSDT")
	ErrNoMADT    = errors.New("acpi: no MADT")
	ErrMADTEntry = errors.New("acpi: an MADT entry has an impossible length")

	ErrMMIOResource = errors.New("acpi: a virtio-mmio device (LNRO0005) has no _CRS buffer, or its resource template lacks a Memory32Fixed or Extended Interrupt, has a descriptor running past it or no End Tag")

	errNotFound = errors.New("acpi: no such table")
)
