package dmamem

import (
	"sync/atomic"
	"unsafe"
)

// word returns b[off:off+4] as a *uint32 for sync/atomic. It panics if the
// word is outside b or not 4-byte aligned (DMA allocations are page
// aligned and descriptors 16 bytes, so the offset decides alignment).
func word(b []byte, off int) *uint32 {
	p := unsafe.Pointer(&b[off:][:4][0])
	if uintptr(p)&3 != 0 {
		panic("dmamem: unaligned descriptor word")
	}
	return (*uint32)(p)
}

// Load32 atomically reads the little-endian word at b[off:].
func Load32(b []byte, off int) uint32 { return atomic.LoadUint32(word(b, off)) }

// Store32 atomically writes the little-endian word at b[off:].
func Store32(b []byte, off int, v uint32) { atomic.StoreUint32(word(b, off), v) }
