package kernel

import (
	"golang.org/x/sys/unix"

	"warren.dev/kernel/cpu"
	"warren.dev/mm/pagetable"
)

// Hardware access for drivers, which are goroutines of the program: DMA
// memory and device registers are mapped into the program's view at
// their physical addresses (virtual = physical, below the mmap area), so
// a driver hands devices the same numbers it dereferences.

const maxDMA = 64 << 20

// sysDMAAlloc returns the physical (= virtual) address of zeroed,
// physically contiguous memory: RDI bytes aligned to RSI.
//
// Context: kernel (no allocation, no pointer stores).
func sysDMAAlloc(f *cpu.TrapFrame) (uint64, unix.Errno) {
	size, align := f.RDI, f.RSI
	if size == 0 || size > maxDMA || align < pageSize || align&(align-1) != 0 || align > 1<<21 {
		return 0, unix.EINVAL
	}
	pages := int((size + pageSize - 1) / pageSize)
	pa, ok := physFrames.AllocContig(pages, int(align/pageSize))
	if !ok {
		return 0, unix.ENOMEM
	}
	clear(physBytes(pa, pages*pageSize))
	flags := pagetable.Present | pagetable.Writable | pagetable.User | pagetable.NoExecute
	if err := kernelTables.MapRange(pa, pa, uint64(pages)*pageSize, flags); err != nil {
		physFrames.FreeContig(pa, pages)
		return 0, unix.ENOMEM
	}
	addUserWindow(pa, pa+uint64(pages)*pageSize)
	cpu.WriteCR3(cpu.ReadCR3())
	return pa, 0
}

// sysDMAFree returns memory from sysDMAAlloc to the kernel.
func sysDMAFree(f *cpu.TrapFrame) (uint64, unix.Errno) {
	pa, size := f.RDI, f.RSI
	pages := int((size + pageSize - 1) / pageSize)
	if pa%pageSize != 0 || !removeUserWindow(pa, pa+uint64(pages)*pageSize) {
		return 0, unix.EINVAL
	}
	if err := kernelTables.MapRange(pa, pa, uint64(pages)*pageSize, pagetable.Present|pagetable.Writable|pagetable.NoExecute); err != nil {
		return 0, unix.EINVAL
	}
	cpu.WriteCR3(cpu.ReadCR3())
	physFrames.FreeContig(pa, pages)
	return 0, 0
}

// sysMMIODevices copies out the virtio-mmio devices read from ACPI at
// boot: the first min(RSI, their record's size) bytes to RDI. It returns
// the record's size.
//
// Context: kernel (no allocation, no pointer stores).
func sysMMIODevices(f *cpu.TrapFrame) (uint64, unix.Errno) {
	b := mmioDevicesBytes()
	if e := copyOut(f.RDI, b[:min(f.RSI, uint64(len(b)))]); e != 0 {
		return 0, e
	}
	return uint64(len(b)), 0
}

// sysMMIOMap maps device memory (not RAM) uncached for the program.
func sysMMIOMap(f *cpu.TrapFrame) (uint64, unix.Errno) {
	pa, size := f.RDI, f.RSI
	start, end := pa&^(pageSize-1), (pa+size+pageSize-1)&^(pageSize-1)
	if size == 0 || end < start || end > 1<<46 || overlapsRAM(start, end) {
		return 0, unix.EINVAL
	}
	flags := pagetable.Present | pagetable.Writable | pagetable.User | pagetable.NoExecute | pagetable.CacheDisable | pagetable.WriteThrough
	for va := start; va < end; va += pageSize {
		if err := kernelTables.Map(va, va, pageSize, flags); err != nil {
			return 0, unix.ENOMEM
		}
	}
	addUserWindow(start, end)
	cpu.WriteCR3(cpu.ReadCR3())
	return pa, 0
}

func overlapsRAM(start, end uint64) bool {
	for _, r := range ramRanges[:nRAM] {
		if start < r.End && r.Start < end {
			return true
		}
	}
	return false
}

// User windows are the DMA and MMIO ranges mapped for drivers; checkUserIn
// accepts them like mmap areas.
const maxWindows = 256

var (
	userWindows  [maxWindows]imageSegment
	nUserWindows int
)

func addUserWindow(start, end uint64) {
	if nUserWindows < maxWindows {
		userWindows[nUserWindows] = imageSegment{start: start, end: end, writable: true}
		nUserWindows++
	}
}

func removeUserWindow(start, end uint64) bool {
	for i := 0; i < nUserWindows; i++ {
		if userWindows[i].start == start && userWindows[i].end == end {
			nUserWindows--
			userWindows[i] = userWindows[nUserWindows]
			return true
		}
	}
	return false
}

func inUserWindow(addr, end uint64) bool {
	for i := 0; i < nUserWindows; i++ {
		if addr >= userWindows[i].start && end <= userWindows[i].end {
			return true
		}
	}
	return false
}
