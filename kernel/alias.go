package kernel

import "warren.dev/mm/pagetable"

// The image's high alias. Every address space, the kernel's and each
// process's, maps the image a second time at aliasBase, supervisor-only.
// A process's memory lies where the image does (static executables load
// at 0x400000), so its page tables cannot hold the image at the image's
// own addresses; they hold the alias and the kernel stacks, and nothing
// else of the kernel. The CPU finds the IDT, GDT and TSS through the
// alias, and the entry code runs there until it has switched to the
// kernel's tables (trapentry_amd64.s).
const aliasBase = 0xffff_ff80_0000_0000

func aliasOf(va uint64) uint64 { return aliasBase + va }

// mapImageAlias maps the image's segments at the alias with their
// permissions but without the user bit. The demand-backed tail is left
// out: the entry code never touches it.
//
// Context: kernel (no allocation, no pointer stores).
func mapImageAlias() {
	for i := 0; i < nImageSegs; i++ {
		s := &imageSegs[i]
		flags := pagetable.Present
		if s.writable {
			flags |= pagetable.Writable
		}
		if !s.exec {
			flags |= pagetable.NoExecute
		}
		if end := min(s.end, tailStart); end > s.start {
			if err := kernelTables.MapRange(aliasOf(s.start), s.start, end-s.start, flags); err != nil {
				bootFail("cannot map the image's alias")
			}
		}
	}
}

// moveEntryToAlias makes the CPU reach the kernel through the alias: the
// descriptor tables, the task state, the vector stubs and the exit path.
// (SYSCALL's entry is set afterwards by setupSyscalls.)
//
// Context: kernel (no allocation, no pointer stores).
func moveEntryToAlias() {
	for _, a := range entryData() {
		if a >= tailStart {
			bootFail("entry-code data lies in the image's demand-backed tail")
		}
	}
	setupDescriptors(aliasBase)
	trapExitPC = aliasOf(trapExitAddr())
}
