// Package dmaword reads and writes the words of DMA memory through which a
// driver and its device hand buffers to each other: an e1000 descriptor's
// status word, a virtqueue's ring indexes and event fields.
//
// Everything else in DMA memory (descriptor addresses, lengths, ring
// entries) is plain little-endian data read and written with
// encoding/binary; it is published or consumed through one of these
// words. The device writes a descriptor before it sets its Descriptor
// Done bit (8254x SDM §3.2.3, §3.3.3) and ring entries before it moves an
// index (virtio 1.2 §2.7), so the handover words are accessed atomically.
// Go's sync/atomic operations are sequentially consistent: the compiler
// keeps ordinary accesses on their side of them, and on amd64 an atomic
// store is an XCHG, a full fence, which gives both the release that
// publishes entries before an index and the store-load order that
// virtio's event-index checks need (§2.7.13.4). The race detector sees the
// same happens-before edges, so a device model using this package lets
// `go test -race` check a driver's barriers.
//
// sync/atomic has no 16-bit operations: a 16-bit field is reached through
// the aligned 32-bit word holding it, and a store is a load-modify-store
// of that word. That is correct only when one side writes the whole word,
// as in a split virtqueue, where each part is written by either the
// driver or the device (§2.7) and every 16-bit index shares its word only
// with fields of the same writer or padding.
package dmaword

import (
	"encoding/binary"
	"sync/atomic"
)

func init() {
	if binary.NativeEndian.Uint16([]byte{1, 0}) != 1 {
		panic("dmaword: DMA words are little-endian and read in native order")
	}
}

// Load16 atomically loads the little-endian 16-bit field at b[off:off+2].
// off must be even and the word holding it must lie within b.
func Load16(b []byte, off int) uint16 {
	w := atomic.LoadUint32(word(b, off&^3))
	return uint16(w >> (8 * uint(off&3)))
}

// Store16 atomically stores v into the 16-bit field at b[off:off+2]. The
// caller must be the only writer of the aligned 32-bit word holding it.
func Store16(b []byte, off int, v uint16) {
	p := word(b, off&^3)
	shift := 8 * uint(off&3)
	w := atomic.LoadUint32(p)
	w = w&^(0xffff<<shift) | uint32(v)<<shift
	atomic.StoreUint32(p, w)
}

// Load32 atomically loads the little-endian 32-bit word at b[off:off+4].
func Load32(b []byte, off int) uint32 { return atomic.LoadUint32(word(b, off)) }

// Store32 atomically stores the little-endian 32-bit word at b[off:off+4].
func Store32(b []byte, off int, v uint32) { atomic.StoreUint32(word(b, off), v) }
