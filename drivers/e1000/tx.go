package e1000

import (
	"encoding/binary"
	"sync"
	"time"

	"warren.dev/drivers/e1000/internal/reg"
	"warren.dev/drivers/ether"
	"warren.dev/drivers/hw"
	"warren.dev/drivers/internal/dmaword"
)

// txRing is the transmit ring (§3.3). The device owns descriptors from
// TDH up to, not including, TDT (§3.3.4); the driver fills from tail and
// reclaims from clean. At most n-1 descriptors are in flight, since
// TDH == TDT means none.
//
// A frame takes an optional context descriptor and one data (or legacy)
// descriptor per 2 KiB of frame. Only its last descriptor has RS set, so
// reclaim looks at that one's DD bit: last[first] records it.
type txRing struct {
	ring
	mu     sync.Mutex
	closed bool
	tail   int
	clean  int
	used   int
	last   []uint16 // for a frame's first descriptor: its last
	size   []uint32 // for a frame's first descriptor: its length

	ctx      txContext // the context the device holds (§3.3.6)
	ctxValid bool

	wantSpace bool // a Transmit found the ring full
	space     chan struct{}
}

func (t *txRing) alloc(dma hw.DMA, n int) error {
	if err := t.ring.alloc(dma, n); err != nil {
		return err
	}
	t.last = make([]uint16, n)
	t.size = make([]uint32, n)
	return nil
}

// Transmit defaults (§13.4.33, §13.4.34): collision threshold 15,
// collision distance 64 byte times (full duplex), and the IEEE 802.3
// inter-packet gap for copper: IPGT 10, IPGR1 8, IPGR2 6.
const (
	tctlCT   = 0x0F
	tctlCOLD = 0x40
	tipg     = 10<<reg.TIPG_IPGT_SHIFT | 8<<reg.TIPG_IPGR1_SHIFT | 6<<reg.TIPG_IPGR2_SHIFT
)

// setupTx programs the transmit ring and enables the transmitter (§14.5).
func (d *Device) setupTx() {
	r, t := d.regs, &d.tx
	r.Write32(reg.TDBAL, uint32(t.descPA))
	r.Write32(reg.TDBAH, uint32(t.descPA>>32))
	r.Write32(reg.TDLEN, uint32(t.n*reg.DescSize))
	r.Write32(reg.TDH, 0)
	r.Write32(reg.TDT, 0)
	r.Write32(reg.TIDV, 0)
	r.Write32(reg.TADV, 0)
	r.Write32(reg.TIPG, tipg)
	r.Write32(reg.TCTL, reg.TCTL_EN|reg.TCTL_PSP|tctlCT<<reg.TCTL_CT_SHIFT|tctlCOLD<<reg.TCTL_COLD_SHIFT)
}

// Transmit queues frames, in order, and tells the device once (one TDT
// write). It returns how many frames from the front it took. A malformed
// frame is dropped, counted in Stats.TxDropped and reported as ErrFrame
// (or ErrUnsupported for an offload the device lacks), but counts as
// taken and does not stop the batch. When the ring fills, Transmit stops
// and returns ErrRingFull: frames from the returned count on were not
// queued, and TxSpace signals when descriptors come free. Queued frames
// are never overwritten.
func (d *Device) Transmit(frames []ether.Frame) (int, error) {
	t := &d.tx
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return 0, ErrClosed
	}
	d.reclaim()
	start := t.tail
	var err error
	n := 0
	for i := range frames {
		e := d.queue(&frames[i])
		if e == ErrRingFull {
			t.wantSpace = true
			d.stats.txRingFull.Add(1)
			err = e
			break
		}
		if e != nil {
			d.stats.txDropped.Add(1)
			if err == nil {
				err = e
			}
		}
		n++
	}
	if t.tail != start {
		d.regs.Write32(reg.TDT, uint32(t.tail))
	}
	return n, err
}

// TxSpace is signalled when transmit descriptors come free after a
// Transmit returned ErrRingFull.
func (d *Device) TxSpace() <-chan struct{} { return d.tx.space }

// txPoll is how often WaitTXSpace reclaims by itself while it waits.
const txPoll = time.Millisecond

// WaitTXSpace blocks until transmit descriptors have come free since a
// Transmit returned ErrRingFull (at once if none did), the device is
// closed (ErrClosed), or timeout passes (ErrRingFull). Rather than only
// wait for TxSpace, which the interrupt goroutine signals, it reclaims
// sent frames itself, by their DD bits: the receiver runs on that
// goroutine and may transmit, and a receiver waiting for it would wait
// for itself. The device needs no prompting: it sends up to TDT whenever
// TDT moves, and nothing lets it stop short of that and wait to be told.
func (d *Device) WaitTXSpace(timeout time.Duration) error {
	t := &d.tx
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	poll := time.NewTicker(txPoll)
	defer poll.Stop()
	for {
		t.mu.Lock()
		closed := t.closed
		if !closed {
			d.reclaim()
		}
		full := t.wantSpace
		t.mu.Unlock()
		switch {
		case closed:
			return ErrClosed
		case !full:
			return nil
		}
		select {
		case <-t.space:
		case <-poll.C:
		case <-deadline.C:
			return ErrRingFull
		}
	}
}

// queue puts one frame into the ring without telling the device.
func (d *Device) queue(f *ether.Frame) error {
	t := &d.tx
	size := f.Len()
	limit := MaxFrameLen
	if f.GSOType != ether.GSONone {
		if f.GSOType != ether.GSOTCPv4 || !d.feat.Has(ether.FeatureTSO4) {
			return ErrUnsupported
		}
		limit = MaxGSOLen
	}
	if size < ethHeaderLen || size > limit {
		return ErrFrame
	}
	nbuf := (size + bufSize - 1) / bufSize
	free := t.n - 1 - t.used
	if nbuf > free {
		return ErrRingFull
	}

	// Copy first: offloads parse and patch the headers in the copy, in
	// the first buffer. The buffers used are those of descriptors
	// tail..tail+nbuf-1, all inside the frame's own descriptors even when
	// a context descriptor at tail shifts the data descriptors by one.
	first := t.tail
	t.copyIn(f, first)
	head, _ := t.buf(first)
	ctx, popts, offload, err := prepareOffload(f, head[:min(size, bufSize)])
	if err != nil {
		return err
	}
	newCtx := offload && (!t.ctxValid || ctx != t.ctx)
	need := nbuf
	if newCtx {
		need++
	}
	if need > free {
		return ErrRingFull
	}

	// The device wants at least 48 bytes before it pads (§3.3.3), and
	// Linux found padding by 8254x hardware on PCI unreliable: short
	// frames are padded to the 60-byte minimum here, in the copy.
	wire := size
	if wire < minFrameLen {
		clear(head[size:minFrameLen])
		wire = minFrameLen
	}

	i := first
	if newCtx {
		t.writeContext(i, &ctx)
		t.ctx, t.ctxValid = ctx, true
		i = t.next(i)
	}
	b := first
	for j := range nbuf {
		_, pa := t.buf(b)
		n := min(bufSize, wire-j*bufSize)
		cmd := uint8(reg.TXD_CMD_IFCS)
		if j == nbuf-1 {
			cmd |= reg.TXD_CMD_EOP | reg.TXD_CMD_RS
		}
		desc := t.desc[i*reg.DescSize : (i+1)*reg.DescSize]
		if offload {
			if ctx.tucmd&reg.TXD_CMD_TSE != 0 {
				cmd |= reg.TXD_CMD_TSE
			}
			putData(desc, pa, n, cmd, popts)
		} else {
			putLegacy(desc, pa, n, cmd)
		}
		if j < nbuf-1 {
			i = t.next(i)
		}
		b = t.next(b)
	}
	t.last[first] = uint16(i)
	t.size[first] = uint32(size)
	t.used += need
	t.tail = t.next(i)
	return nil
}

// copyIn copies f into the buffers of descriptors first, first+1, ...
func (t *txRing) copyIn(f *ether.Frame, first int) {
	i := first
	buf, _ := t.buf(i)
	off := 0
	for _, b := range f.Data {
		for len(b) > 0 {
			if off == bufSize {
				i = t.next(i)
				buf, _ = t.buf(i)
				off = 0
			}
			c := copy(buf[off:], b)
			off += c
			b = b[c:]
		}
	}
}

// putLegacy writes a legacy transmit descriptor (§3.3.3), STA clear.
func putLegacy(desc []byte, pa uint64, n int, cmd uint8) {
	binary.LittleEndian.PutUint64(desc[reg.TDESC_ADDR:], pa)
	binary.LittleEndian.PutUint64(desc[reg.TDESC_LENGTH:], uint64(n)|uint64(cmd)<<24)
}

// putData writes a TCP/IP data descriptor (§3.3.7), STA clear.
func putData(desc []byte, pa uint64, n int, dcmd, popts uint8) {
	binary.LittleEndian.PutUint64(desc[reg.TDESC_ADDR:], pa)
	dcmd |= reg.TXD_CMD_DEXT
	binary.LittleEndian.PutUint32(desc[reg.TDESC_LENGTH:], uint32(n)|reg.TXD_DTYP_D<<reg.TXD_DTYP_SHIFT|uint32(dcmd)<<24)
	binary.LittleEndian.PutUint32(desc[reg.TDESC_STA:], uint32(popts)<<8)
}

// reclaim frees the descriptors of frames the device has sent. The
// caller holds t.mu.
func (d *Device) reclaim() {
	t := &d.tx
	freed := false
	for t.used > 0 {
		first := t.clean
		last := int(t.last[first])
		sta := dmaword.Load32(t.desc, last*reg.DescSize+reg.TDESC_STA)
		if sta&reg.TXD_STAT_DD == 0 {
			break
		}
		// EC, LC and TU report a frame that did not make it (§3.3.3.2);
		// only possible in half duplex (and TU on the 82544).
		if sta&(reg.TXD_STAT_EC|reg.TXD_STAT_LC|reg.TXD_STAT_TU) != 0 {
			d.stats.txErrors.Add(1)
		} else {
			d.stats.txPackets.Add(1)
			d.stats.txBytes.Add(uint64(t.size[first]))
		}
		n := last - first + 1
		if n <= 0 {
			n += t.n
		}
		t.used -= n
		t.clean = t.next(last)
		freed = true
	}
	if freed && t.wantSpace {
		t.wantSpace = false
		select {
		case t.space <- struct{}{}:
		default:
		}
	}
}

// txDone reclaims after a transmit interrupt.
func (d *Device) txDone() {
	d.tx.mu.Lock()
	if !d.tx.closed {
		d.reclaim()
	}
	d.tx.mu.Unlock()
}
