package kernel

import (
	"golang.org/x/sys/unix"

	"warren.dev/boot/multiboot"
	"warren.dev/kernel/cpu"
	"warren.dev/mm/frames"
	"warren.dev/mm/pagetable"
	"warren.dev/mm/vm"
)

// Physical memory is identity-mapped (virtual = physical) for the kernel,
// supervisor-only; the loaded image is mapped user-accessible with the
// permissions of its ELF segments, since the program is the image. The Go
// program's own memory comes from mmap areas above the direct map, backed
// on first touch.

const (
	pageSize = 4096
	// bootMapLimit is what the boot page tables map (1 GiB identity).
	bootMapLimit = 1 << 30
	// lowMemory below 1 MiB holds BIOS data and ROMs.
	lowMemory = 1 << 20
	// The program's address space ends below the vDSO's top-level
	// entry (vdso.go), 512 GiB under Linux's 47 bits.
	userTop = vdsoRegion
)

var (
	physFrames   frames.Allocator
	kernelTables pagetable.Tables
	userAS       vm.AddressSpace

	ramRanges [multiboot.MaxRegions]multiboot.Range
	nRAM      int
	busy      [multiboot.MaxModules + 4]multiboot.Range // never handed out
	nBusy     int
)

func reserveBusy(start, end uint64) {
	if nBusy < len(busy) && end > start {
		busy[nBusy] = multiboot.Range{Start: start &^ (pageSize - 1), End: (end + pageSize - 1) &^ (pageSize - 1)}
		nBusy++
	}
}

func overlapsBusy(start, end uint64) bool {
	for _, b := range busy[:nBusy] {
		if start < b.End && b.Start < end {
			return true
		}
	}
	return false
}

// findFree returns the lowest page-aligned RAM range of size bytes that
// avoids every busy range and lies under the boot identity map.
//
// Context: kernel (no allocation, no pointer stores).
func findFree(size uint64) (uint64, bool) {
	size = (size + pageSize - 1) &^ (pageSize - 1)
	for _, r := range ramRanges[:nRAM] {
		for start := r.Start; start+size <= r.End && start+size <= bootMapLimit; {
			if !overlapsBusy(start, start+size) {
				return start, true
			}
			start += pageSize
		}
	}
	return 0, false
}

// setupMemory builds the frame allocator, the kernel's page tables and
// the program's address space, and switches to the new tables.
//
// Context: kernel (no allocation, no pointer stores).
func setupMemory(info *multiboot.Info) {
	nRAM = info.AvailableRAM(ramRanges[:])
	if nRAM == 0 {
		bootFail("no usable RAM in the boot loader's memory map")
	}
	limit := ramRanges[nRAM-1].End

	reserveBusy(0, lowMemory)
	reserveBusy(imageStart, imageEnd)
	for _, m := range info.ModuleList() {
		reserveBusy(m.Start, m.End)
	}

	words := uint64(frames.BitmapWords(limit))
	bm, ok := findFree(words * 8)
	if !ok {
		bootFail("no room for the frame bitmap")
	}
	reserveBusy(bm, bm+words*8)
	physFrames.Init(physWords(bm, int(words)), limit)
	for _, r := range ramRanges[:nRAM] {
		physFrames.AddRange(r.Start, r.End)
	}
	for _, b := range busy[:nBusy] {
		physFrames.ReserveRange(b.Start, b.End)
	}
	// Until the new tables are live, frames must be reachable through the
	// boot identity map.
	physFrames.SetAllocLimit(bootMapLimit)

	if err := kernelTables.Init(physMemory{}, &physFrames); err != nil {
		bootFail("page tables: no memory")
	}
	const kernelRW = pagetable.Present | pagetable.Writable | pagetable.NoExecute
	for _, r := range ramRanges[:nRAM] {
		start := r.Start
		if start == 0 {
			start = pageSize // page 0 stays unmapped: nil dereferences fault
		}
		mapDirect(start, r.End, kernelRW)
	}
	mapTrampoline(info)
	for i := 0; i < nImageSegs; i++ {
		s := &imageSegs[i]
		flags := pagetable.Present | pagetable.User
		if s.writable {
			flags |= pagetable.Writable
		}
		if !s.exec {
			flags |= pagetable.NoExecute
		}
		mapOrDie(s.start, min(s.end, tailStart), flags) // the tail is backed on demand
	}
	for _, m := range info.ModuleList() {
		mapDirect(m.Start&^(pageSize-1), (m.End+pageSize-1)&^(pageSize-1), kernelRW)
	}
	lapicBase = cpu.Rdmsr(msrAPICBase) &^ (pageSize - 1) & (1<<52 - 1)
	mapOrDie(lapicBase, lapicBase+pageSize, kernelRW|pagetable.CacheDisable|pagetable.WriteThrough)
	mapOrDie(ioapicBase, ioapicBase+pageSize, kernelRW|pagetable.CacheDisable|pagetable.WriteThrough)

	cpu.Wrmsr(msrEFER, cpu.Rdmsr(msrEFER)|eferNXE|eferSCE)
	cpu.WriteCR0(cpu.ReadCR0() | cr0WP)
	mapImageAlias()
	cpu.WriteCR3(kernelTables.Root())
	kernelCR3 = kernelTables.Root()
	physFrames.SetAllocLimit(0)

	userBase := uint64(1) << 32
	if limit > userBase {
		userBase = (limit + 1<<30 - 1) &^ (1<<30 - 1)
	}
	cfg := vm.Config{Tables: &kernelTables, Frames: &physFrames, Mem: physMemory{}, TLB: tlb{}, Lo: userBase, Hi: userTop}
	if err := userAS.Init(cfg); err != nil {
		bootFail("address space")
	}
}

// mapDirect identity-maps [start, end) minus the image, whose mapping
// carries the program's permissions.
func mapDirect(start, end uint64, flags pagetable.Flags) {
	if start < imageStart {
		mapOrDie(start, min(end, imageStart), flags)
	}
	if end > imageEnd {
		mapOrDie(max(start, imageEnd), end, flags)
	}
}

func mapOrDie(start, end uint64, flags pagetable.Flags) {
	if end <= start {
		return
	}
	if err := kernelTables.MapRange(start, start, end-start, flags); err != nil {
		var l line
		l.s("warren: cannot map ").hex(start).s("-").hex(end).s(": ").s(err.Error()).put()
		powerOff(exitKernelFailure)
	}
}

const (
	msrEFER = 0xc0000080
	eferSCE = 1 << 0
	eferNXE = 1 << 11
	cr0WP   = 1 << 16
)

// physMemory views physical memory through the identity map, for the page
// tables, the address space and the boot information parser.
type physMemory struct{}

func (physMemory) Table(pa uint64) *[512]uint64 { return physTable(pa) }

// Bytes serves the boot information parser, which runs under the boot
// identity map.
func (physMemory) Bytes(addr, n uint64) ([]byte, bool) {
	if n > bootMapLimit || addr > bootMapLimit-n {
		return nil, false
	}
	return physBytes(addr, int(n)), true
}

// tlb invalidates translations of the kernel's tables after the address
// space changes them, here and on every other CPU (shootdown): all run on
// these tables in kernel context and the program's threads in user mode.
type tlb struct{}

func (tlb) Invalidate(start, end uint64) {
	for va := start; va < end; va += pageSize {
		cpu.Invlpg(va)
	}
	shootdown()
}

func (tlb) Flush() {
	cpu.WriteCR3(cpu.ReadCR3())
	shootdown()
}

// outOfMemory ends the program when a page fault finds no free frame: the
// Go runtime cannot survive a failed fault, and Linux's OOM killer would
// end it too.
func outOfMemory(addr uint64) {
	st := physFrames.Stats()
	var l line
	l.s("warren: out of memory: page fault at ").hex(addr).s(" with ").u(st.Free).s(" of ").u(st.Total).s(" frames free").put()
	powerOff(uint8(128 + unix.SIGKILL))
}
