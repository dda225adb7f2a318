package dmaword

import "unsafe"

// word returns b[off:off+4] as a *uint32 for sync/atomic. It panics if the
// word is outside b or not 4-byte aligned in memory (DMA allocations are
// page aligned, so descriptor and ring offsets decide alignment).
func word(b []byte, off int) *uint32 {
	p := unsafe.Pointer(&b[off:][:4][0])
	if uintptr(p)&3 != 0 {
		panic("dmaword: unaligned DMA word")
	}
	return (*uint32)(p)
}
