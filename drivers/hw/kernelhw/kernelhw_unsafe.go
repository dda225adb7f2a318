package kernelhw

import "unsafe"

// physSlice views memory the kernel mapped at its physical address.
func physSlice(pa uint64, n int) []byte {
	return unsafe.Slice((*byte)(*(*unsafe.Pointer)(unsafe.Pointer(&pa))), n)
}

// physAddr is the address of a DMA buffer, which is its physical address.
func physAddr(b []byte) uint64 { return uint64(uintptr(unsafe.Pointer(unsafe.SliceData(b)))) }

// vectorAddr passes a result word to the kernel.
func vectorAddr(v *uint32) uintptr { return uintptr(unsafe.Pointer(v)) }
