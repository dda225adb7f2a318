package ringmem

import (
	"encoding/binary"
	"unsafe"
)

// word returns the 32-bit word at b[off:off+4] for sync/atomic. It panics
// if the word is outside b or not 4-byte aligned in memory (the DMA
// allocator aligns to pages, so ring offsets decide alignment).
//
// Virtio rings are little-endian; the word is read in native order, so
// this package is only correct on little-endian machines, checked below.
func word(b []byte, off int) *uint32 {
	p := unsafe.Pointer(&b[off:][:4][0])
	if uintptr(p)&3 != 0 {
		panic("ringmem: unaligned ring word")
	}
	return (*uint32)(p)
}

func init() {
	if binary.NativeEndian.Uint16([]byte{1, 0}) != 1 {
		panic("ringmem: virtio ring access assumes a little-endian CPU")
	}
}
