package virtio

import (
	"errors"
	"fmt"

	"warren.dev/drivers/hw"
)

// Split virtqueue layout (§2.7). The three parts live in one DMA
// allocation:
//
//	descriptor table  16*N bytes at 0 (alignment 16)
//	available ring    flags, idx, ring[N], used_event, 2 bytes padding
//	used ring         flags, idx, ring[N] of {id, len}, avail_event,
//	                  2 bytes padding; on its own cache line (alignment 4)
//
// The padding after used_event and avail_event makes the aligned 32-bit
// word holding each of them lie inside the part its writer owns, for
// dmaword's atomic 16-bit access.
const (
	descSize = 16

	descAddr  = 0
	descLen   = 8
	descFlags = 12
	descNext  = 14

	descFNext  = 1 // VIRTQ_DESC_F_NEXT
	descFWrite = 2 // VIRTQ_DESC_F_WRITE: device-writable

	ringFlags = 0
	ringIdx   = 2
	ringStart = 4

	availFNoInterrupt = 1 // VIRTQ_AVAIL_F_NO_INTERRUPT
	usedFNoNotify     = 1 // VIRTQ_USED_F_NO_NOTIFY

	usedElemSize = 8

	cacheLine = 64
)

// Errors from queue operations.
var (
	// ErrQueueFull means there are not enough free descriptors for the
	// buffer: nothing was added, and nothing was overwritten. Harvest
	// used buffers and try again.
	ErrQueueFull = errors.New("virtio: queue full")
	// ErrEmpty means the device has not used any more buffers.
	ErrEmpty = errors.New("virtio: no used buffers")
	// ErrDeviceBroken means the device wrote a used ring the driver
	// cannot trust (an unknown descriptor id, or more used entries than
	// buffers it was given). The queue stops returning buffers.
	ErrDeviceBroken = errors.New("virtio: device corrupted the used ring")
)

// Notifier sends an available buffer notification (what EnableQueue
// returns).
type Notifier interface{ Ring() }

// SplitQueue is a split virtqueue in DMA memory, driver side. It is not
// safe for concurrent use: one goroutine (or a caller holding a lock)
// owns a queue.
type SplitQueue struct {
	dma  hw.DMA
	mem  []byte
	size uint16
	mask uint16

	desc, avail, used       []byte
	descPA, availPA, usedPA uint64
	usedEventOff            int // in avail
	availEventOff           int // in used

	eventIdx bool
	bell     Notifier

	// Free descriptors form a list through next, kept in Go memory: the
	// device cannot write the descriptor table (§2.7.5.1), but the
	// driver's bookkeeping does not depend on DMA memory either way. A
	// reserved chain is linked through next in chain order.
	next     []uint16
	freeHead uint16
	numFree  int
	// chainLen[head] is the number of descriptors in the chain headed
	// by head while the driver has reserved or made it available, else 0.
	chainLen []uint16
	scratch  []uint16 // ids for Add

	availIdx   uint16 // next available ring slot (staged entries included)
	published  uint16 // available idx last stored to the ring
	availFlags uint16 // driver's copy of avail->flags
	lastUsed   uint16 // used entries harvested
	intr       intrState
	broken     bool
}

type intrState uint8

const (
	intrOn      intrState = iota // used_event follows lastUsed
	intrOff                      // no interrupts requested
	intrDelayed                  // used_event set ahead of lastUsed
)

// NewSplitQueue allocates a zeroed split virtqueue of size entries (a
// power of two from 2 to 32768) in DMA memory. eventIdx says whether
// VIRTIO_F_EVENT_IDX was negotiated. Interrupts start enabled (avail
// flags 0, used_event 0), as the device sees after reset.
func NewSplitQueue(dma hw.DMA, size int, eventIdx bool) (*SplitQueue, error) {
	if size < 2 || size > 32768 || size&(size-1) != 0 {
		return nil, fmt.Errorf("virtio: queue size %d is not a power of two in [2, 32768]", size)
	}
	availOff := descSize * size
	availLen := ringStart + 2*size + 2 + 2
	usedOff := (availOff + availLen + cacheLine - 1) &^ (cacheLine - 1)
	usedLen := ringStart + usedElemSize*size + 2 + 2
	total := usedOff + usedLen
	mem, pa, err := dma.Alloc(total, 4096)
	if err != nil {
		return nil, fmt.Errorf("virtio: queue memory: %w", err)
	}
	q := &SplitQueue{
		dma:           dma,
		mem:           mem,
		size:          uint16(size),
		mask:          uint16(size - 1),
		desc:          mem[:availOff:availOff],
		avail:         mem[availOff : availOff+availLen : availOff+availLen],
		used:          mem[usedOff : usedOff+usedLen : usedOff+usedLen],
		descPA:        pa,
		availPA:       pa + uint64(availOff),
		usedPA:        pa + uint64(usedOff),
		usedEventOff:  ringStart + 2*size,
		availEventOff: ringStart + usedElemSize*size,
		eventIdx:      eventIdx,
		next:          make([]uint16, size),
		chainLen:      make([]uint16, size),
		scratch:       make([]uint16, size),
		numFree:       size,
	}
	for i := range q.next {
		q.next[i] = uint16(i + 1) // the last link is never followed
	}
	return q, nil
}

// Size is the number of descriptors (the queue size).
func (q *SplitQueue) Size() int { return int(q.size) }

// Addresses returns the physical addresses of the descriptor table,
// available ring and used ring, for the transport's queue registers.
func (q *SplitQueue) Addresses() (desc, driver, device uint64) {
	return q.descPA, q.availPA, q.usedPA
}

// SetNotifier sets how the queue notifies the device (the Notifier from
// Transport.EnableQueue).
func (q *SplitQueue) SetNotifier(n Notifier) { q.bell = n }

// NumFree is the number of free descriptors.
func (q *SplitQueue) NumFree() int { return q.numFree }

// Outstanding is the number of buffers made available to the device and
// not yet harvested.
func (q *SplitQueue) Outstanding() int { return int(q.published - q.lastUsed) }

// Free releases the queue memory. Reset the device first: until the
// reset completes it may still access the rings.
func (q *SplitQueue) Free() {
	if q.mem != nil {
		q.dma.Free(q.mem)
		q.mem, q.desc, q.avail, q.used = nil, nil, nil, nil
	}
}
