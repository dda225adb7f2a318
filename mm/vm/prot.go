package vm

import (
	"golang.org/x/sys/unix"

	"warren.dev/mm/pagetable"
)

const protRWX = unix.PROT_READ | unix.PROT_WRITE | unix.PROT_EXEC

// pteFlags gives the leaf flags for pages of an area with prot.
func pteFlags(prot uint8) pagetable.Flags {
	if prot&protRWX == 0 {
		// Kept for the kernel only; see the package comment.
		return pagetable.Present | pagetable.NoExecute
	}
	f := pagetable.Present | pagetable.User
	if prot&unix.PROT_WRITE != 0 {
		f |= pagetable.Writable
	}
	if prot&unix.PROT_EXEC == 0 {
		f |= pagetable.NoExecute
	}
	return f
}

// allows reports whether prot permits an access. x86 cannot express
// write-only or execute-only pages, so, as on Linux, any access right
// implies read.
func allows(prot uint8, write, exec bool) bool {
	switch {
	case exec:
		return prot&unix.PROT_EXEC != 0
	case write:
		return prot&unix.PROT_WRITE != 0
	}
	return prot&protRWX != 0
}

// pteAllows reports whether a present PTE already permits the access.
func pteAllows(f pagetable.Flags, write, exec bool) bool {
	return f&pagetable.User != 0 &&
		(!write || f&pagetable.Writable != 0) &&
		(!exec || f&pagetable.NoExecute == 0)
}
