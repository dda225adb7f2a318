package virtio

import (
	"encoding/binary"

	"warren.dev/drivers/internal/dmaword"
)

// Buffer is one element of a descriptor chain: physically contiguous
// memory the device reads, or writes if Writable.
type Buffer struct {
	Addr     uint64
	Len      uint32
	Writable bool
}

// Reserve takes len(ids) free descriptors, stores their indexes in ids
// and links them into one chain in that order (§2.7.13.1); ids[0] is the
// head. Fill each with Set, then Push the head. Reserve fails with
// ErrQueueFull, changing nothing, if too few descriptors are free.
func (q *SplitQueue) Reserve(ids []uint16) error {
	n := len(ids)
	if n == 0 || n > q.numFree {
		return ErrQueueFull
	}
	id := q.freeHead
	for i := range ids {
		ids[i] = id
		id = q.next[id]
	}
	q.freeHead = id
	q.numFree -= n
	q.chainLen[ids[0]] = uint16(n)
	return nil
}

// Set fills descriptor ids[i] of a chain from Reserve with a buffer and
// links it to ids[i+1], if any. Device-writable elements must follow
// the device-readable ones (§2.7.4.2).
func (q *SplitQueue) Set(ids []uint16, i int, b Buffer) {
	d := q.desc[int(ids[i])*descSize:][:descSize]
	binary.LittleEndian.PutUint64(d[descAddr:], b.Addr)
	binary.LittleEndian.PutUint32(d[descLen:], b.Len)
	var flags, next uint16
	if b.Writable {
		flags |= descFWrite
	}
	if i+1 < len(ids) {
		flags |= descFNext
		next = ids[i+1]
	}
	binary.LittleEndian.PutUint16(d[descFlags:], flags)
	binary.LittleEndian.PutUint16(d[descNext:], next)
}

// Push puts a filled chain into the next available ring slot
// (§2.7.13.2). The device does not see it until Publish.
func (q *SplitQueue) Push(head uint16) {
	if q.chainLen[head] == 0 {
		panic("virtio: Push of a descriptor that was not reserved")
	}
	binary.LittleEndian.PutUint16(q.avail[ringStart+2*int(q.availIdx&q.mask):], head)
	q.availIdx++
}

// Add reserves, fills and pushes a chain for bufs and returns its head.
// It fails with ErrQueueFull, adding nothing, if bufs does not fit.
func (q *SplitQueue) Add(bufs []Buffer) (head uint16, err error) {
	ids := q.scratch[:len(bufs)]
	if err := q.Reserve(ids); err != nil {
		return 0, err
	}
	for i, b := range bufs {
		q.Set(ids, i, b)
	}
	q.Push(ids[0])
	return ids[0], nil
}

// Publish makes the chains pushed since the last Publish available to the
// device with one index store, and rings the doorbell unless the device
// has suppressed notifications. It reports whether it notified. Batching
// many Push calls under one Publish costs one index store and at most one
// doorbell.
func (q *SplitQueue) Publish() (notified bool) {
	if q.availIdx == q.published {
		return false
	}
	old := q.published
	// §2.7.13.3: the descriptors and ring entries written by Set and Push
	// (plain stores) must be visible before idx. dmaword.Store16 is an
	// atomic store: the compiler keeps the earlier stores before it, and
	// on x86-64 stores are not reordered with older stores.
	dmaword.Store16(q.avail, ringIdx, q.availIdx)
	q.published = q.availIdx
	// §2.7.13.4: idx must be visible before we read the device's
	// suppression state, or a device that is just going idle could miss
	// the new buffers and we the need to notify. The atomic store above is
	// sequentially consistent (XCHG on x86-64, a full fence), so the load
	// below cannot be satisfied before it.
	if q.eventIdx {
		if !needEvent(dmaword.Load16(q.used, q.availEventOff), q.availIdx, old) {
			return false
		}
	} else if dmaword.Load16(q.used, ringFlags)&usedFNoNotify != 0 {
		return false
	}
	if q.bell != nil {
		q.bell.Ring()
	}
	return true
}

// Kick notifies the device whatever it said about notifications.
// Suppression only spares the driver doorbells the device does not need
// (§2.7.10), and a notification with nothing new makes the device do no
// more than look at the available ring. A driver kicks when it cannot
// rule out that the device stopped short of buffers already published
// and is waiting for a notification the event index does not call for.
func (q *SplitQueue) Kick() {
	if q.bell != nil {
		q.bell.Ring()
	}
}
