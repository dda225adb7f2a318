package kernel

import (
	"sync/atomic"

	"warren.dev/kernel/acpi"
	"warren.dev/kernel/cpu"
)

// Per-CPU state. Each CPU has a record in cpus at its index: 0 is the
// boot CPU, then the application processors in the MADT's order (smp.go).
//
// A CPU finds its index in IA32_TSC_AUX, which it sets itself when it
// comes up and reads with RDTSCP (thisCPU). The MSR is written only in
// ring 0 and holds its value whatever user code does, so kernel code can
// ask at any point, an NMI in the middle of an entry included. The
// alternative, a record address in the GS base, is what Linux does, but
// ring 3 here (the program and processes) can load GS and so clobber the
// base, which would cost a SWAPGS on every entry and exit and an NMI path
// that works out which base is live; reading the local APIC's ID instead
// is an MMIO read, which exits to the VMM. SYSCALL's entry, which has no
// free register to spare for RDTSCP, will need its own per-CPU way to
// find its stack when threads run on more than one CPU (docs/smp.md).

const (
	maxCPUs = acpi.MaxCPUs
	bootCPU = 0
)

// cpuRecord is one CPU's state. The CPU reaches its GDT and TSS at their
// alias addresses, so cpus must lie outside the image's demand-backed
// tail (entryData lists it).
type cpuRecord struct {
	apicID uint32
	online atomic.Uint32 // 1 once the CPU runs with its own descriptors and local APIC
	stack  uint64        // an application processor's stack top; 0 until mapped
	gdt    [7]uint64
	tss    cpu.TSS
}

var (
	cpus  [maxCPUs]cpuRecord
	ncpus int // records in use: the boot CPU's and those of the processors started

	// haveRDTSCP says the CPU has RDTSCP (and IA32_TSC_AUX); without it
	// only the boot CPU runs.
	haveRDTSCP bool
)

const msrTSCAux = 0xc0000103

// thisCPU returns the index of the CPU it runs on.
//
// Context: kernel (no allocation, no pointer stores).
func thisCPU() int {
	if !haveRDTSCP {
		return bootCPU
	}
	_, aux := cpu.Rdtscp()
	return int(aux)
}
