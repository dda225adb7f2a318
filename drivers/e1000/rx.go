package e1000

import (
	"encoding/binary"

	"warren.dev/drivers/e1000/internal/reg"
	"warren.dev/drivers/ether"
	"warren.dev/drivers/hw"
	"warren.dev/drivers/internal/dmaword"
)

// rxRing is the receive ring (§3.2). Only the interrupt goroutine touches
// it after setup.
//
// The device owns descriptors from RDH up to, not including, RDT
// (§3.2.6). next is the first descriptor the driver has not looked at;
// every descriptor before it has been handed back already, so the driver
// keeps RDT one behind next: the whole ring but one slot is the device's,
// since RDH == RDT would mean it owns none.
type rxRing struct {
	ring
	next     int
	tail     int  // last value written to RDT
	spanning bool // dropping the rest of a frame that spans descriptors
	data     [1][]byte
}

// rxRefillBatch bounds how many handed-back descriptors wait for an RDT
// write during a long receive burst.
const rxRefillBatch = 32

func (r *rxRing) alloc(dma hw.DMA, n int) error {
	if err := r.ring.alloc(dma, n); err != nil {
		return err
	}
	for i := range n {
		_, pa := r.buf(i)
		binary.LittleEndian.PutUint64(r.desc[i*reg.DescSize+reg.RDESC_ADDR:], pa)
	}
	r.next, r.tail = 0, n-1
	return nil
}

// rctlValue is the one RCTL setting: receiver on, broadcasts accepted,
// 2 KiB buffers, CRC stripped, RXDMT0 at half the ring free (§13.4.22).
// QEMU holds received frames back for a second after each RCTL write, so
// it is written once.
func (d *Device) rctlValue() uint32 {
	v := uint32(reg.RCTL_EN | reg.RCTL_BAM | reg.RCTL_BSIZE_2048 | reg.RCTL_SECRC | reg.RCTL_RDMTS_HALF)
	if d.opts.AllMulticast {
		v |= reg.RCTL_MPE
	}
	return v
}

// setupRx programs the receive ring and enables the receiver (§14.4).
func (d *Device) setupRx() {
	r, x := d.regs, &d.rx
	r.Write32(reg.RDBAL, uint32(x.descPA))
	r.Write32(reg.RDBAH, uint32(x.descPA>>32))
	r.Write32(reg.RDLEN, uint32(x.n*reg.DescSize))
	r.Write32(reg.RDH, 0)
	r.Write32(reg.RDT, uint32(x.tail))
	r.Write32(reg.RDTR, 0) // interrupt at once; ITR does the moderation
	r.Write32(reg.RADV, 0)
	r.Write32(reg.RXCSUM, reg.RXCSUM_IPOFL|reg.RXCSUM_TUOFL)
	r.Write32(reg.RCTL, d.rctlValue())
}

// receive hands every completed descriptor to rxFrame and back to the
// device.
func (d *Device) receive() {
	x := &d.rx
	done := 0
	for {
		off := x.next * reg.DescSize
		w := dmaword.Load32(x.desc, off+reg.RDESC_STATUS) // DD last, everything else before it
		status, errs := uint8(w), uint8(w>>8)
		if status&reg.RXD_STAT_DD == 0 {
			break
		}
		length := int(binary.LittleEndian.Uint16(x.desc[off+reg.RDESC_LENGTH:]))
		// Whether another frame follows at once lets the stack merge
		// segments (ether.Frame.More): the next descriptor is complete
		// and holds a frame that will be delivered.
		// Its length is read only after its DD bit: before, the device
		// may be writing it.
		next := x.ring.next(x.next) * reg.DescSize
		nw := dmaword.Load32(x.desc, next+reg.RDESC_STATUS)
		more := false
		if uint8(nw)&reg.RXD_STAT_DD != 0 {
			nlen := int(binary.LittleEndian.Uint16(x.desc[next+reg.RDESC_LENGTH:]))
			more = rxVerdict(uint8(nw), uint8(nw>>8), nlen, false) == rxGood
		}
		d.rxFrame(x.next, status, errs, length, more)
		// Clear length, checksum, status, errors and special; the
		// buffer address stays.
		binary.LittleEndian.PutUint64(x.desc[off+reg.RDESC_LENGTH:], 0)
		x.next = x.ring.next(x.next)
		if done++; done%rxRefillBatch == 0 {
			d.rxRefill()
		}
	}
	if done > 0 {
		d.rxRefill()
	}
}

// rxRefill gives the descriptors before next back to the device.
func (d *Device) rxRefill() {
	x := &d.rx
	t := x.next - 1
	if t < 0 {
		t = x.n - 1
	}
	if t != x.tail {
		x.tail = t
		d.regs.Write32(reg.RDT, uint32(t))
	}
}

// rxFrame checks one completed descriptor and delivers its frame; more
// says that the next descriptor holds a frame that will be delivered too.
func (d *Device) rxFrame(i int, status, errs uint8, length int, more bool) {
	x, s := &d.rx, &d.stats
	switch rxVerdict(status, errs, length, x.spanning) {
	case rxPartOfLong:
		if !x.spanning {
			s.rxDropped.Add(1)
			s.rxLengthErrors.Add(1)
		}
		x.spanning = status&reg.RXD_STAT_EOP == 0
		return
	case rxCorrupt:
		s.rxDropped.Add(1)
		s.rxErrors.Add(1)
		return
	case rxBadLength:
		s.rxDropped.Add(1)
		s.rxLengthErrors.Add(1)
		return
	}
	fn := d.receiver.Load()
	if fn == nil {
		s.rxDropped.Add(1)
		return
	}
	valid := rxCsumValid(status, errs)
	if errs&(reg.RXD_ERR_IPE|reg.RXD_ERR_TCPE) != 0 {
		s.rxCsumErrors.Add(1)
	}
	buf, _ := x.buf(i)
	x.data[0] = buf[:length:length]
	s.rxPackets.Add(1)
	s.rxBytes.Add(uint64(length))
	(*fn)(ether.Frame{Data: x.data[:], CsumValid: valid, More: more})
	x.data[0] = nil
}

// rxCsumValid reads the checksum offload verdict (§3.2.3.1): valid
// when the device checked the TCP/UDP checksum and found it right, and
// either checked the IPv4 header checksum and found it right or had no
// IPv4 header to check. IXSM means nothing was checked (QEMU always sets
// it). A frame with a wrong checksum is still delivered: the stack checks
// it again and drops it.
func rxCsumValid(status, errs uint8) bool {
	if status&reg.RXD_STAT_IXSM != 0 || status&(reg.RXD_STAT_TCPCS|reg.RXD_STAT_UDPCS) == 0 {
		return false
	}
	return errs&(reg.RXD_ERR_TCPE|reg.RXD_ERR_IPE) == 0
}

// rxVerdictKind is what becomes of a completed descriptor's frame.
type rxVerdictKind uint8

const (
	rxGood rxVerdictKind = iota
	// rxPartOfLong: a frame longer than its buffer continues in the next
	// descriptors, EOP marking the last (§3.2.3). With 2 KiB buffers and
	// RCTL.LPE clear the device never does that (it drops frames over
	// 1522 bytes), so such a frame is dropped, not reassembled.
	rxPartOfLong
	// rxCorrupt: CE, SE, SEQ, CXE or RXE (§3.2.3.2). The device stores
	// such frames only with RCTL.SBP, but be sure.
	rxCorrupt
	rxBadLength
)

// rxVerdict judges a descriptor; spanning says an earlier descriptor of
// the same frame lacked EOP.
func rxVerdict(status, errs uint8, length int, spanning bool) rxVerdictKind {
	switch {
	case status&reg.RXD_STAT_EOP == 0 || spanning:
		return rxPartOfLong
	case errs&reg.RXD_ERR_FRAME != 0:
		return rxCorrupt
	case length < ethHeaderLen || length > MaxFrameLen:
		return rxBadLength
	}
	return rxGood
}
