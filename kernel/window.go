package kernel

import (
	"golang.org/x/sys/unix"

	"warren.dev/kernel/procabi"
	"warren.dev/mm/pagetable"
)

// The window: the kernel runs on its own page tables, where a process's
// addresses mean the direct map and the image. To reach a process's
// memory it maps that process's user half a second time at windowBase,
// supervisor-only, by copying the process's top-level entries (its lower
// tables are shared, so later changes below them show at once). The window
// shows one process at a time, the last one checkUserIn was asked about;
// the copies in usermem.go resolve each chunk just before they touch it.

const (
	windowBase = 0xffff_8000_0000_0000
	// windowSlot is the first kernel top-level entry of the window; a
	// process's user half is procabi.UserTop>>39 entries.
	windowSlot  = windowBase >> 39 & 511
	windowSlots = procabi.UserTop >> 39
)

// windowProc is the process the window shows; 0 for none.
var windowProc int32

// showWindow makes the window show process p's current top-level entries.
// Replacing an entry that was present flushes the TLB, which may hold
// translations through it.
//
// Context: kernel (no allocation, no pointer stores).
func showWindow(p int32) {
	k := physTable(kernelTables.Root())
	src := physTable(procTables[p].Root())
	stale := false
	for i := 0; i < windowSlots; i++ {
		want := src[i] &^ uint64(pagetable.User)
		if have := k[windowSlot+i]; have != want {
			stale = stale || have&uint64(pagetable.Present) != 0
			k[windowSlot+i] = want
		}
	}
	windowProc = p
	if stale {
		tlb{}.Flush()
	}
}

// hideWindow empties the window if it shows process p, whose tables are
// about to be freed.
//
// Context: kernel (no allocation, no pointer stores).
func hideWindow(p int32) {
	if windowProc != p {
		return
	}
	k := physTable(kernelTables.Root())
	for i := 0; i < windowSlots; i++ {
		k[windowSlot+i] = 0
	}
	windowProc = 0
	tlb{}.Flush()
}

// checkProcessUser validates [addr, addr+n) of process p (not the
// program) for a read or write, backs its pages and shows the address
// space p runs in in the window.
//
// Context: kernel (no allocation, no pointer stores).
func checkProcessUser(p int32, addr, n uint64, write bool) unix.Errno {
	p = procs[p].mm
	end := addr + n
	if end < addr || addr < procabi.UserBottom || end > procabi.UserTop {
		return unix.EFAULT
	}
	if e := procAS[p].Access(addr, n, write); e != 0 {
		if e == unix.ENOMEM {
			oomKill(p)
		}
		return e
	}
	showWindow(p)
	return 0
}
