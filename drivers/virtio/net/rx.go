package net

import (
	"errors"

	"warren.dev/drivers/ether"
	"warren.dev/drivers/hw"
	"warren.dev/drivers/virtio"
)

// rxQueue is the receive side: a split queue whose every descriptor owns
// one fixed DMA buffer (descriptor i, buffer i), so that refilling needs
// no allocation and a used descriptor id locates its data.
type rxQueue struct {
	d       *Device
	dma     hw.DMA
	q       *virtio.SplitQueue
	mem     []byte
	pa      uint64
	bufSize int
	// maxFrame is the largest frame accepted without GSO (MTU plus the
	// Ethernet header, §5.1.4.1), maxGSO with it; larger ones are
	// dropped.
	maxFrame, maxGSO int
	mrg              bool

	ids    [1]uint16
	frames []ether.Frame // the batch handed to Receive
	segs   [][]byte      // backing for the frames' Data
	stats  counters
}

func (r *rxQueue) init(d *Device, dma hw.DMA, size, bufSize, maxFrame, maxGSO int, mrg, eventIdx bool) error {
	q, err := virtio.NewSplitQueue(dma, size, eventIdx)
	if err != nil {
		return err
	}
	mem, pa, err := dma.Alloc(size*bufSize, 4096)
	if err != nil {
		q.Free()
		return err
	}
	*r = rxQueue{
		d: d, dma: dma, q: q, mem: mem, pa: pa, bufSize: bufSize, maxFrame: maxFrame, maxGSO: maxGSO, mrg: mrg,
		frames: make([]ether.Frame, 0, rxBatch),
		segs:   make([][]byte, 0, size),
	}
	return nil
}

func (r *rxQueue) free() {
	if r.q != nil {
		r.q.Free()
		r.dma.Free(r.mem)
		r.q, r.mem = nil, nil
	}
}

func (r *rxQueue) buf(id uint16) []byte {
	off := int(id) * r.bufSize
	return r.mem[off : off+r.bufSize : off+r.bufSize]
}

// fill gives every free descriptor its buffer, device-writable
// (§5.1.6.3), and publishes them with one index store.
func (r *rxQueue) fill() {
	for r.q.NumFree() > 0 {
		if r.q.Reserve(r.ids[:]) != nil {
			break
		}
		id := r.ids[0]
		r.q.Set(r.ids[:], 0, virtio.Buffer{Addr: r.pa + uint64(id)*uint64(r.bufSize), Len: uint32(r.bufSize), Writable: true})
		r.q.Push(id)
	}
	r.q.Publish()
}

// poll is the receive loop for one interrupt: with interrupts
// suppressed, deliver batches until the ring is empty, then re-enable
// interrupts and re-check (§2.7.14), polling again if frames slipped in.
func (r *rxQueue) poll() {
	d := r.d
	for !d.closed.Load() {
		r.q.DisableInterrupts()
		need := 1
		for {
			var n int
			n, need = r.batch()
			if n == 0 {
				break
			}
		}
		if d.testRearm != nil {
			d.testRearm()
		}
		if !r.q.EnableInterruptsAfter(need) {
			return
		}
	}
}

// batch delivers up to rxBatch frames and refills the ring. It returns
// the number of used buffers consumed and how many used buffers must be
// pending before another batch can make progress (more than 1 when a
// merged frame's buffers are not all published yet).
func (r *rxQueue) batch() (consumed, need int) {
	d := r.d
	frames := r.frames[:0]
	segs := r.segs[:0]
	need = 1
frames:
	for len(frames) < cap(frames) {
		head, n, err := r.q.Peek(0)
		if err != nil {
			if !errors.Is(err, virtio.ErrEmpty) {
				d.fail(err)
			}
			break
		}
		nb := 1
		if r.mrg && n >= hdrLen {
			nb = int(parseHdr(r.buf(head)).numBuffers)
		}
		if nb < 1 || nb > r.q.Outstanding() {
			// A header no device should write: drop this buffer.
			r.q.Used()
			consumed++
			r.stats.errors.Add(1)
			continue
		}
		if nb > r.q.Pending() {
			need = nb // §5.1.6.4.2: the rest will be published together
			break
		}
		start := len(segs)
		total, bad := 0, false
		var h netHdr
		for i := range nb {
			id, l, err := r.q.Used()
			if err != nil {
				d.fail(err)
				segs = segs[:start]
				break frames
			}
			consumed++
			b := r.buf(id)
			skip := 0
			if i == 0 {
				skip = hdrLen
			}
			if int(l) > len(b) || int(l) < skip {
				bad = true // the device wrote past the buffer, or no header
				continue
			}
			if i == 0 {
				h = parseHdr(b)
			}
			segs = append(segs, b[skip:l])
			total += int(l) - skip
		}
		switch {
		case bad:
			r.stats.errors.Add(1)
		case total < ethHeaderLen || total > r.maxFrame && (h.gsoType == 0 || total > r.maxGSO):
			r.stats.dropped.Add(1)
		default:
			frames = append(frames, h.frame(segs[start:len(segs):len(segs)]))
			r.stats.packets.Add(1)
			r.stats.bytes.Add(uint64(total))
			continue
		}
		segs = segs[:start]
	}
	if len(frames) > 0 && !d.closed.Load() {
		for i := range frames[:len(frames)-1] {
			frames[i].More = true
		}
		d.receive(frames)
	}
	if consumed > 0 {
		r.fill()
	}
	return consumed, need
}
