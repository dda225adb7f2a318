package virtio

import (
	"encoding/binary"

	"warren.dev/drivers/internal/dmaword"
)

// usedIdx loads the device's used index. It is an atomic load: the
// device writes the used elements before the index (§2.7.8.1: "The
// device MUST set len prior to updating the used idx"), and the compiler
// keeps our later reads of the elements and of the buffers after it.
func (q *SplitQueue) usedIdx() uint16 { return dmaword.Load16(q.used, ringIdx) }

// Pending is the number of used buffers not yet harvested. A count larger
// than Outstanding means a broken device; Used reports that.
func (q *SplitQueue) Pending() int {
	if q.broken {
		return 0
	}
	return int(q.usedIdx() - q.lastUsed)
}

// Peek returns the k-th unharvested used buffer (0 is the next) without
// harvesting it. Like Used, it returns ErrEmpty if the device has not
// used that many, and ErrDeviceBroken if the ring cannot be trusted.
func (q *SplitQueue) Peek(k int) (head uint16, length uint32, err error) {
	if q.broken {
		return 0, 0, ErrDeviceBroken
	}
	n := int(q.usedIdx() - q.lastUsed)
	if n > q.Outstanding() {
		q.broken = true
		return 0, 0, ErrDeviceBroken
	}
	if k < 0 || k >= n {
		return 0, 0, ErrEmpty
	}
	id, length := q.usedElem(q.lastUsed + uint16(k))
	if id >= uint32(q.size) || q.chainLen[id] == 0 {
		q.broken = true
		return 0, 0, ErrDeviceBroken
	}
	return uint16(id), length, nil
}

func (q *SplitQueue) usedElem(idx uint16) (id, length uint32) {
	e := q.used[ringStart+usedElemSize*int(idx&q.mask):][:usedElemSize]
	return binary.LittleEndian.Uint32(e[0:]), binary.LittleEndian.Uint32(e[4:])
}

// Used harvests the next used buffer: the head of its chain and the
// number of bytes the device wrote into it (§2.7.8). The chain's
// descriptors are free again when it returns, but the memory they pointed
// at is the caller's until it gives that memory to the device again. Used
// returns ErrEmpty when there is nothing to harvest and ErrDeviceBroken,
// from then on, if the device corrupted the ring.
func (q *SplitQueue) Used() (head uint16, length uint32, err error) {
	if q.broken {
		return 0, 0, ErrDeviceBroken
	}
	n := q.usedIdx() - q.lastUsed
	if n == 0 {
		return 0, 0, ErrEmpty
	}
	if int(n) > q.Outstanding() {
		q.broken = true
		return 0, 0, ErrDeviceBroken
	}
	id, length := q.usedElem(q.lastUsed)
	if id >= uint32(q.size) || q.chainLen[id] == 0 {
		q.broken = true
		return 0, 0, ErrDeviceBroken
	}
	q.lastUsed++
	q.freeChain(uint16(id))
	if q.intr == intrOn && q.eventIdx {
		// Interrupts are on: move used_event along so the device
		// interrupts for the next buffer too (Linux's
		// virtqueue_get_buf does the same); an atomic store, ordered
		// before our next used index load.
		dmaword.Store16(q.avail, q.usedEventOff, q.lastUsed)
	}
	return uint16(id), length, nil
}

// freeChain puts the chain headed by head back on the free list.
func (q *SplitQueue) freeChain(head uint16) {
	n := int(q.chainLen[head])
	q.chainLen[head] = 0
	last := head
	for range n - 1 {
		last = q.next[last]
	}
	q.next[last] = q.freeHead
	q.freeHead = head
	q.numFree += n
}
