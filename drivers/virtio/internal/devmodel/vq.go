package devmodel

import (
	"encoding/binary"
	"fmt"

	"warren.dev/drivers/hw/hwtest"
	"warren.dev/drivers/internal/dmaword"
)

// vq is the device side of one split virtqueue. It reads the rings by
// physical address through hwtest.DMA, as a bus master would, and uses
// dmaword for the index fields so the race detector checks the driver's
// publication order against it.
type vq struct {
	index int

	// Registers, as the driver programmed them.
	size    uint16
	maxSize uint16
	vector  uint16
	enabled bool
	descPA  uint64
	availPA uint64
	usedPA  uint64

	// Ring memory, resolved when the queue is enabled.
	desc, avail, used []byte

	lastAvail uint16 // next available entry to consume
	usedIdx   uint16 // next used entry to write
	published uint16 // used idx last stored
	inflight  []bool // heads the device holds
	broken    bool
	segBuf    []seg // backing for the segments of popped chains
}

// seg is one descriptor's memory.
type seg struct {
	buf      []byte
	writable bool
}

// chain is a descriptor chain the device took from the available ring.
type chain struct {
	head uint16
	segs []seg
}

func (c *chain) writableLen() int {
	n := 0
	for _, s := range c.segs {
		if s.writable {
			n += len(s.buf)
		}
	}
	return n
}

func (q *vq) reset(max uint16) {
	*q = vq{index: q.index, maxSize: max, size: max, vector: noVector}
}

// enable resolves the ring addresses; it reports a driver error.
func (q *vq) enable(dma *hwtest.DMA) error {
	n := int(q.size)
	if n == 0 || n&(n-1) != 0 || q.size > q.maxSize {
		return fmt.Errorf("queue %d: size %d (max %d) is not a power of two", q.index, n, q.maxSize)
	}
	if q.descPA%16 != 0 || q.availPA%2 != 0 || q.usedPA%4 != 0 {
		return fmt.Errorf("queue %d: misaligned rings %#x %#x %#x", q.index, q.descPA, q.availPA, q.usedPA)
	}
	var err error
	if q.desc, err = dma.Bytes(q.descPA, 16*n); err != nil {
		return fmt.Errorf("queue %d descriptors: %w", q.index, err)
	}
	// The word-wide index accesses need the 2 bytes after the event
	// fields; the driver under test allocates them.
	if q.avail, err = dma.Bytes(q.availPA, 6+2*n+2); err != nil {
		return fmt.Errorf("queue %d available ring: %w", q.index, err)
	}
	if q.used, err = dma.Bytes(q.usedPA, 6+8*n+2); err != nil {
		return fmt.Errorf("queue %d used ring: %w", q.index, err)
	}
	q.inflight = make([]bool, n)
	q.segBuf = make([]seg, 0, n)
	q.enabled = true
	return nil
}

// availIdx loads the driver's available index (acquire: the ring entries
// and descriptors are read after it).
func (q *vq) availIdx() uint16 { return dmaword.Load16(q.avail, 2) }

// availNow is availIdx of a queue in use, 0 for another.
func (q *vq) availNow() uint16 {
	if !q.enabled || q.broken {
		return 0
	}
	return q.availIdx()
}

func (q *vq) usedEvent() uint16 { return dmaword.Load16(q.avail, 4+2*int(q.size)) }

func (q *vq) availFlags() uint16 { return dmaword.Load16(q.avail, 0) }

// pending is the number of chains the driver made available that the
// device has not taken.
func (q *vq) pending() int { return int(q.availIdx() - q.lastAvail) }

// releaseSegs lets pop reuse segment storage: chains popped before are
// no longer looked at. (The model avoids allocating on the receive path
// so that tests can count the driver's allocations.)
func (q *vq) releaseSegs() { q.segBuf = q.segBuf[:0] }

// pop takes the next available chain. ok is false when there is none;
// err reports a driver error (the queue is then broken).
func (q *vq) pop(dma *hwtest.DMA) (c chain, ok bool, err error) {
	if !q.enabled || q.broken {
		return chain{}, false, nil
	}
	avail := q.availIdx()
	if n := avail - q.lastAvail; n == 0 {
		return chain{}, false, nil
	} else if n > q.size {
		q.broken = true
		return chain{}, false, fmt.Errorf("queue %d: available idx %d is %d ahead of the device (size %d)", q.index, avail, n, q.size)
	}
	head := binary.LittleEndian.Uint16(q.avail[4+2*int(q.lastAvail%q.size):])
	if head >= q.size {
		q.broken = true
		return chain{}, false, fmt.Errorf("queue %d: available head %d out of range", q.index, head)
	}
	if q.inflight[head] {
		q.broken = true
		return chain{}, false, fmt.Errorf("queue %d: head %d made available again while the device holds it", q.index, head)
	}
	c.head = head
	start := len(q.segBuf)
	id := head
	seenWritable := false
	for n := 0; ; n++ {
		if n >= int(q.size) {
			q.broken = true
			return chain{}, false, fmt.Errorf("queue %d: descriptor chain from %d loops", q.index, head)
		}
		d := q.desc[16*int(id):][:16]
		addr := binary.LittleEndian.Uint64(d[0:])
		length := binary.LittleEndian.Uint32(d[8:])
		flags := binary.LittleEndian.Uint16(d[12:])
		next := binary.LittleEndian.Uint16(d[14:])
		if flags&4 != 0 {
			q.broken = true
			return chain{}, false, fmt.Errorf("queue %d: indirect descriptor without VIRTIO_F_INDIRECT_DESC", q.index)
		}
		w := flags&2 != 0
		if seenWritable && !w {
			q.broken = true
			return chain{}, false, fmt.Errorf("queue %d: readable descriptor after a writable one (§2.7.4.2)", q.index)
		}
		seenWritable = seenWritable || w
		buf, err := dma.Bytes(addr, int(length))
		if err != nil {
			q.broken = true
			return chain{}, false, fmt.Errorf("queue %d: descriptor %d: %w", q.index, id, err)
		}
		q.segBuf = append(q.segBuf, seg{buf: buf, writable: w})
		if flags&1 == 0 {
			break
		}
		if next >= q.size {
			q.broken = true
			return chain{}, false, fmt.Errorf("queue %d: descriptor %d links to %d", q.index, id, next)
		}
		id = next
	}
	c.segs = q.segBuf[start:len(q.segBuf):len(q.segBuf)]
	q.inflight[head] = true
	q.lastAvail++
	return c, true, nil
}

// unpop gives back the last n chains taken with pop, which must not have
// been used: a device that finds too few buffers for a packet leaves them.
func (q *vq) unpop(cs []chain) {
	for _, c := range cs {
		q.inflight[c.head] = false
	}
	q.lastAvail -= uint16(len(cs))
}

// use writes a used element; the driver does not see it until publish.
func (q *vq) use(head uint16, written uint32) {
	q.inflight[head] = false
	e := q.used[4+8*int(q.usedIdx%q.size):][:8]
	binary.LittleEndian.PutUint32(e[0:], uint32(head))
	binary.LittleEndian.PutUint32(e[4:], written)
	q.usedIdx++
}

// publish stores the used index and reports whether the driver asked for
// an interrupt for the entries just published (§2.7.7.2).
func (q *vq) publish(eventIdx bool) (interrupt bool) {
	if q.usedIdx == q.published {
		return false
	}
	old := q.published
	// Elements before idx (§2.7.8.1): atomic store, a full fence, which
	// also orders it before the used_event / flags load below.
	dmaword.Store16(q.used, 2, q.usedIdx)
	q.published = q.usedIdx
	if eventIdx {
		ev := q.usedEvent()
		return q.usedIdx-ev-1 < q.usedIdx-old
	}
	return q.availFlags()&1 == 0
}

// idle is called when the device has consumed everything available: it
// asks for a notification for the next buffer and reports whether more
// arrived meanwhile (the device side of the re-check race).
func (q *vq) idle(eventIdx bool) (more bool) {
	if !q.enabled || q.broken {
		return false
	}
	// The atomic store (a full fence) orders the request before the
	// available index load below: either the driver sees it when it
	// publishes, or we see the driver's new index here.
	q.askNotify(eventIdx, q.lastAvail)
	return q.pending() != 0
}

// waitBeyond is idle for a device that cannot use the available entries
// it saw, up to index seen, until the driver adds more (a packet larger
// than their buffers): it asks to be told of the entry after them, not
// of the first it left, which the driver has made available already,
// and reports whether the driver has made another available since.
func (q *vq) waitBeyond(eventIdx bool, seen uint16) (more bool) {
	if !q.enabled || q.broken {
		return false
	}
	q.askNotify(eventIdx, seen)
	return q.availIdx() != seen
}

// askNotify asks the driver to notify when it makes available the entry
// at index at: avail_event at it, or flags 0 without EVENT_IDX.
func (q *vq) askNotify(eventIdx bool, at uint16) {
	if eventIdx {
		dmaword.Store16(q.used, 4+8*int(q.size), at)
	} else {
		dmaword.Store16(q.used, 0, 0)
	}
}

func (q *vq) availEvent() uint16 { return dmaword.Load16(q.used, 4+8*int(q.size)) }

// busy suppresses notifications while the device is processing
// (flags NO_NOTIFY; with EVENT_IDX avail_event simply stays behind).
func (q *vq) busy(eventIdx bool) {
	if q.enabled && !q.broken && !eventIdx {
		dmaword.Store16(q.used, 0, 1)
	}
}

// corrupt publishes a used element naming a descriptor that is not a
// chain head the driver made available: a device bug.
func (q *vq) corrupt(eventIdx bool) bool {
	e := q.used[4+8*int(q.usedIdx%q.size):][:8]
	binary.LittleEndian.PutUint32(e[0:], uint32(q.size)+7)
	binary.LittleEndian.PutUint32(e[4:], 0)
	q.usedIdx++
	return q.publish(eventIdx)
}
