package kernel

import (
	"warren.dev/kernel/procabi"
	"warren.dev/kernel/vdso"
	"warren.dev/mm/pagetable"
)

// The vDSO lets the Go runtime and C libraries read the clock without a
// trap: without one, clock_gettime is over half of all system calls of an
// HTTP server. It is two frames, mapped at procabi.VDSOData and
// procabi.VDSO in every address space through one shared top-level entry
// of the page tables (vdsoRegion): the clock page, which holds the
// kernel's clockData itself (clock points at it), read-only for user
// mode, so the code reads the values the kernel keeps current; and the
// page with the vDSO's ELF image at 0 and its code (vdso_amd64.s) at
// vdsoCodeOffset, read and execute. The program's address space ends
// below vdsoRegion, and a process's ends at procabi.UserTop: no mmap,
// munmap, mprotect or madvise reaches them.

// vdsoCode is the vDSO's code, copied into the vDSO page (vdso_amd64.s).
func vdsoCode()

// vdsoCodeAddr returns the address of vdsoCode in the image.
func vdsoCodeAddr() uint64

const (
	// vdsoRegion is the start of the top-level page-table entry that
	// maps the vDSO.
	vdsoRegion = procabi.VDSOData &^ (1<<39 - 1)
	// vdsoCodeOffset is where the code starts in the vDSO page, after
	// the ELF image.
	vdsoCodeOffset = 0x800
	// vdsoCodeSize is the length of vdsoCode, which starts with
	// __vdso_gettimeofday; __vdso_clock_gettime starts at
	// vdsoClockGettimeOffset (PCALIGN in vdso_amd64.s).
	vdsoCodeSize           = 256
	vdsoClockGettimeOffset = 64
)

// fillVDSOPage writes the vDSO page: the ELF image, then the code.
//
// Context: kernel (no allocation, no pointer stores).
func fillVDSOPage(page, code []byte) error {
	syms := [...]vdso.Symbol{
		{Name: vdso.ClockGettime, Addr: procabi.VDSO + vdsoCodeOffset + vdsoClockGettimeOffset},
		{Name: vdso.Gettimeofday, Addr: procabi.VDSO + vdsoCodeOffset},
	}
	if _, err := vdso.Build(page[:vdsoCodeOffset], procabi.VDSO, syms[:]); err != nil {
		return err
	}
	copy(page[vdsoCodeOffset:], code[:vdsoCodeSize])
	return nil
}

// setupVDSO allocates and fills the clock page and the vDSO page, moves
// the kernel's clock onto the clock page and maps both in the kernel's
// tables, whose top-level entry for them initProcesses shares with every
// process. It runs after setupMemory, before the clock is read.
//
// Context: kernel (no allocation, no pointer stores). Runs in kmain,
// which may store clock.
func setupVDSO() {
	data, ok1 := physFrames.Alloc()
	text, ok2 := physFrames.Alloc()
	if !ok1 || !ok2 {
		bootFail("no memory for the vDSO")
	}
	clear(physBytes(data, pageSize))
	clear(physBytes(text, pageSize))
	clock = clockAt(data)
	if err := fillVDSOPage(physBytes(text, pageSize), physBytes(vdsoCodeAddr(), vdsoCodeSize)); err != nil {
		bootFail(err.Error())
	}
	if mapVDSO(&kernelTables, data, text) != nil {
		bootFail("cannot map the vDSO")
	}
}

// mapVDSO maps the clock page at data and the vDSO page at text in t:
// user-readable, neither writable, only the vDSO page executable.
//
// Context: kernel (no allocation, no pointer stores).
func mapVDSO(t *pagetable.Tables, data, text uint64) error {
	if err := t.Map(procabi.VDSOData, data, pagetable.Size4K, pagetable.User|pagetable.NoExecute); err != nil {
		return err
	}
	return t.Map(procabi.VDSO, text, pagetable.Size4K, pagetable.User)
}

// inVDSOCode reports whether rip lies in the vDSO's code page, where
// user code may run although it lies above its caller's top.
func inVDSOCode(rip uint64) bool { return rip-procabi.VDSO < pageSize }
