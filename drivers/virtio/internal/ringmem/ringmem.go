// Package ringmem reads and writes the index fields of virtqueue rings
// shared with a device, with the ordering the virtio spec asks for.
//
// Ring memory is a []byte from hw.DMA. Descriptors and ring entries are
// plain little-endian fields (encoding/binary); they are published or
// consumed through an index, and only the index accesses need to be
// atomic. sync/atomic has no 16-bit operations, so a 16-bit field is
// accessed through the aligned 32-bit word that holds it. A store is a
// load-modify-store of that word, which is only correct because in a
// split virtqueue each word has a single writer: the driver writes all of
// the driver area (available ring), the device all of the device area
// (used ring), and the word neighbours of every 16-bit index field are
// either fields the same side writes or padding the ring layout reserves
// (virtio 1.2 §2.7: "each part is write-able by either the driver or the
// device, but not both").
//
// Ordering: Go's sync/atomic operations are sequentially consistent. The
// compiler does not move ordinary memory accesses across them, and on
// amd64 an atomic store is an XCHG, which is also a full hardware fence:
// it orders earlier stores before it (release, enough to publish ring
// entries before an index) and orders it before later loads (store-load,
// what event-index checks need, §2.7.13.4: "a suitable memory barrier
// before reading flags or avail_event"). An atomic load is a plain MOV
// that the compiler keeps before later accesses (acquire). The race
// detector understands the same happens-before edges, so a device model
// that uses this package as well lets `go test -race` check the barrier
// discipline of the driver.
package ringmem

import "sync/atomic"

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

// Load32 atomically loads the little-endian 32-bit field at b[off:off+4].
func Load32(b []byte, off int) uint32 { return atomic.LoadUint32(word(b, off)) }

// Store32 atomically stores the little-endian 32-bit field at b[off:off+4].
func Store32(b []byte, off int, v uint32) { atomic.StoreUint32(word(b, off), v) }
