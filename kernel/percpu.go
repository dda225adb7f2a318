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
// free register to spare for RDTSCP, goes through a stub of its own per
// CPU (IA32_LSTAR is per CPU; syscallstubs_amd64.s) that reaches its record
// directly.

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

	// Read by the entry code (trapentry_amd64.s, the SYSCALL stubs): the
	// current thread's kernel stack top, where SYSCALL builds its frame
	// (the TSS holds it for interrupts), scratch for the user RSP during
	// SYSCALL entry, and the FS base, XSAVE area and page-table root the
	// current thread returns to user mode with. switchTo sets them.
	kstackTop, syscallSP   uint64
	userFS, xsave, userCR3 uint64

	cur         int32 // the thread it runs (its idle thread, slot c, when none)
	sliceEnd    int64 // when the current thread's time slice ends
	needResched bool
	armedAt     int64 // deadline its LAPIC timer is programmed for, 0 if stopped
	lockParking bool  // it is halted waiting for the kernel lock (klock.go)
	// flushReq is set by a CPU that changed page tables this CPU may have
	// cached, and cleared once this CPU has flushed its TLB (klock.go).
	flushReq atomic.Uint32
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

// onlineMask has a bit for each online CPU.
func onlineMask() uint64 {
	return ^uint64(0) >> (64 - ncpus)
}
