package net

import (
	"errors"
	"sync"
	"time"

	"warren.dev/drivers/ether"
	"warren.dev/drivers/hw"
	"warren.dev/drivers/virtio"
)

// txQueue is the transmit side. Like the receive side, descriptor i owns
// DMA chunk i; a frame (with its header in front) is copied into as many
// chunks as it needs, chained (§2.7.13.1), one descriptor per chunk.
type txQueue struct {
	mu   sync.Mutex // Transmit, WaitTXSpace, the TX interrupt, Close
	cond *sync.Cond
	d    *Device

	q        *virtio.SplitQueue
	dma      hw.DMA
	mem      []byte
	pa       uint64
	chunk    int
	maxFrame int
	ids      []uint16
	waiters  int
	// want is the number of descriptors the frame that did not fit
	// needs; WaitTXSpace waits for that many.
	want int
	// completed counts the buffers reclaimed, for the watchdog.
	completed uint64
	watch     txWatch
	stats     counters
	kicks     txKicks
}

func (t *txQueue) init(d *Device, dma hw.DMA, size, chunk, maxFrame int, eventIdx bool, stall time.Duration) error {
	q, err := virtio.NewSplitQueue(dma, size, eventIdx)
	if err != nil {
		return err
	}
	mem, pa, err := dma.Alloc(size*chunk, 4096)
	if err != nil {
		q.Free()
		return err
	}
	t.d, t.q, t.dma, t.mem, t.pa, t.chunk, t.maxFrame = d, q, dma, mem, pa, chunk, maxFrame
	t.ids = make([]uint16, size)
	t.cond = sync.NewCond(&t.mu)
	t.watch.init(stall, t.tick)
	// Completions are reclaimed by Transmit; interrupts only while
	// someone waits for room.
	q.DisableInterrupts()
	return nil
}

func (t *txQueue) free() {
	if t.q != nil {
		t.q.Free()
		t.dma.Free(t.mem)
		t.q, t.mem = nil, nil
	}
}

// at returns the chunk memory holding byte pos of a chain's stream
// (header then frame), from pos to the end of the chunk.
func (t *txQueue) at(ids []uint16, pos int) []byte {
	off := int(ids[pos/t.chunk])*t.chunk + pos%t.chunk
	end := off - pos%t.chunk + t.chunk
	return t.mem[off:end:end]
}

// Transmit queues frames for the device, in order, with one index update
// and at most one doorbell per queue for the batch. With several pairs
// each frame goes to the transmit queue of its flow (mq.go), so a flow's
// frames stay in order. It returns how many frames it consumed. A frame
// the device cannot take (shorter than an Ethernet header, longer than
// the MTU without GSO, or with offload metadata that was not negotiated
// or is out of bounds) is dropped, counted in Stats().TX.Dropped, and
// consumed. When a ring is full Transmit stops and returns ErrQueueFull
// with the frames before it queued; nothing in the ring is overwritten.
// Safe for concurrent use.
func (d *Device) Transmit(frames []ether.Frame) (int, error) {
	if len(frames) == 0 {
		return 0, nil
	}
	sent := 0
	t := d.txQueueFor(&frames[0])
	for sent < len(frames) {
		// The run of frames bound for one queue goes in one batch.
		end, next := sent+1, t
		for ; end < len(frames); end++ {
			if next = d.txQueueFor(&frames[end]); next != t {
				break
			}
		}
		n, err := t.transmit(frames[sent:end])
		sent += n
		if err != nil {
			return sent, err
		}
		t = next
	}
	return sent, nil
}

// transmit queues frames on this queue (Transmit).
func (t *txQueue) transmit(frames []ether.Frame) (int, error) {
	d := t.d
	t.mu.Lock()
	defer t.mu.Unlock()
	if d.closed.Load() {
		return 0, ErrClosed
	}
	if err := d.Err(); err != nil {
		return 0, err
	}
	t.reclaim()
	n := 0
	var err error
	for ; n < len(frames); n++ {
		f := &frames[n]
		size := f.Len()
		if !t.valid(f, size) {
			t.stats.dropped.Add(1)
			continue
		}
		chunks := (hdrLen + size + t.chunk - 1) / t.chunk
		if chunks > t.q.NumFree() {
			t.reclaim()
			if chunks > t.q.NumFree() {
				t.want = chunks
				err = ErrQueueFull
				break
			}
		}
		t.want = 0
		ids := t.ids[:chunks]
		t.q.Reserve(ids)
		t.fill(ids, f, size)
		t.q.Push(ids[0])
		t.stats.packets.Add(1)
		t.stats.bytes.Add(uint64(size))
	}
	notified := t.q.Publish()
	if notified {
		t.kicks.notifications.Add(1)
	}
	t.watchTX(notified)
	return n, err
}

// txValid checks a frame against the negotiated features (§5.1.6.2.1).
func (t *txQueue) valid(f *ether.Frame, size int) bool {
	d := t.d
	if size < ethHeaderLen || (hdrLen+size+t.chunk-1)/t.chunk > t.q.Size() {
		return false
	}
	if f.NeedsCsum && int(f.CsumStart)+int(f.CsumOffset)+2 > size {
		return false
	}
	switch f.GSOType {
	case ether.GSONone:
		return size <= d.mtu+ethHeaderLen && !f.ECN
	case ether.GSOTCPv4:
		if !d.features.Has(FHostTSO4) {
			return false
		}
	case ether.GSOTCPv6:
		if !d.features.Has(FHostTSO6) {
			return false
		}
	default:
		return false
	}
	// GSO needs NEEDS_CSUM and an MSS; ECN needs HOST_ECN.
	return f.NeedsCsum && f.GSOSize > 0 && size <= t.maxFrame && (!f.ECN || d.features.Has(FHostECN))
}

// fill writes the header and frame into the chunks of a reserved chain
// and fills its descriptors.
func (t *txQueue) fill(ids []uint16, f *ether.Frame, size int) {
	h := netHdr{}
	softCsum := f.NeedsCsum && !t.d.features.Has(FCsum)
	if f.NeedsCsum && !softCsum {
		h.flags = hdrFNeedsCsum
		h.csumStart, h.csumOffset = f.CsumStart, f.CsumOffset
	}
	if f.GSOType != ether.GSONone {
		h.gsoType = gsoTypes[f.GSOType] // txValid checked the type
		if f.ECN {
			h.gsoType |= gsoECN
		}
		h.hdrLen, h.gsoSize = f.HdrLen, f.GSOSize
	}
	h.put(t.at(ids, 0)) // num_buffers 0 on transmit (§5.1.6.2.1)
	pos := hdrLen
	for _, b := range f.Data {
		for len(b) > 0 {
			k := copy(t.at(ids, pos), b)
			b = b[k:]
			pos += k
		}
	}
	if softCsum {
		t.checksum(ids, int(f.CsumStart), int(f.CsumOffset), size)
	}
	total := hdrLen + size
	for i, id := range ids {
		n := min(t.chunk, total-i*t.chunk)
		t.q.Set(ids, i, virtio.Buffer{Addr: t.pa + uint64(id)*uint64(t.chunk), Len: uint32(n)})
	}
}

// checksum completes a partial checksum in the chain, as the device
// would have with VIRTIO_NET_F_CSUM: the ones' complement sum from start
// to the end of the frame (the checksum field holds the pseudo-header
// sum) stored at start+offset.
func (t *txQueue) checksum(ids []uint16, start, offset, size int) {
	var c ether.Summer
	end := hdrLen + size
	for pos := hdrLen + start; pos < end; {
		b := t.at(ids, pos)
		b = b[:min(len(b), end-pos)]
		c.Add(b)
		pos += len(b)
	}
	// 0 goes out as 0xffff, the same value in ones' complement, which UDP
	// requires (a zero UDP checksum means "none").
	v := ^c.Fold()
	if v == 0 {
		v = 0xffff
	}
	at := hdrLen + start + offset
	t.at(ids, at)[0] = byte(v >> 8)
	t.at(ids, at+1)[0] = byte(v)
}

// reclaim harvests completed transmit buffers; t.mu is held.
func (t *txQueue) reclaim() {
	d := t.d
	wake := false
	for {
		_, _, err := t.q.Used()
		if errors.Is(err, virtio.ErrEmpty) {
			break
		}
		wake = true
		if err != nil {
			// fail without taking t.mu, which we hold.
			d.errMu.Lock()
			if d.err == nil {
				d.err = err
			}
			d.errMu.Unlock()
			break
		}
		t.completed++
	}
	if wake && t.waiters > 0 {
		t.cond.Broadcast()
	}
}

// WaitTXSpace blocks until the transmit ring that next goes to has room
// for it (next is the frame Transmit stopped at with ErrQueueFull; nil
// means the first queue and any frame), the device fails, or it is
// closed. It asks the device for an interrupt once enough frames in
// flight are done, and at least three quarters of them, to batch
// completions (like Linux's virtqueue_enable_cb_delayed). Before it
// sleeps it notifies the device, owed or not: a device that stopped
// short of buffers already published (txwatch.go) would otherwise use
// no more, and nothing would end the wait.
func (d *Device) WaitTXSpace(next *ether.Frame) error {
	t := &d.tx[0]
	if next != nil {
		t = d.txQueueFor(next)
	}
	return t.waitSpace()
}

func (t *txQueue) waitSpace() error {
	d := t.d
	t.mu.Lock()
	defer t.mu.Unlock()
	kicked := false
	for {
		if d.closed.Load() {
			return ErrClosed
		}
		if err := d.Err(); err != nil {
			return err
		}
		t.reclaim()
		free, out := t.q.NumFree(), t.q.Outstanding()
		if free >= max(1, t.want) || out == 0 {
			return nil
		}
		// Each completed buffer frees at least one descriptor. Re-check
		// after arming: buffers completed before the device saw the
		// request raise no interrupt.
		if t.q.EnableInterruptsAfter(min(out, max(t.want-free, out*3/4))) {
			continue
		}
		// One kick per wait, after arming the interrupt so that what
		// the device uses in answer is signalled; the watchdog kicks
		// again if the device stays silent.
		fresh := !kicked
		if fresh {
			t.kicks.wait.Add(1)
			t.q.Kick()
			kicked = true
		}
		t.watchTX(fresh)
		t.waiters++
		t.cond.Wait()
		t.waiters--
	}
}

// interrupt handles a transmit used buffer notification.
func (t *txQueue) interrupt() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.q == nil {
		return
	}
	t.q.DisableInterrupts()
	t.reclaim()
	t.cond.Broadcast()
}
