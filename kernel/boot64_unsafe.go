package kernel

import "unsafe"

// bootStackBounds returns the boot (idle) stack's range.
func bootStackBounds() (lo, hi uint64) {
	lo = uint64(uintptr(unsafe.Pointer(&bootStack)))
	return lo, lo + bootStackSize
}
