package e1000test

import (
	"encoding/binary"
	"hash/crc32"

	"warren.dev/drivers/e1000/internal/reg"
	"warren.dev/drivers/ether"
	"warren.dev/drivers/internal/dmaword"
)

type rxFrame struct {
	data         []byte
	status, errs uint8
	fromWire     bool
}

// Receive puts a frame (no FCS) on the wire towards the device. It
// reports whether the device took it: into the receive ring, or into its
// packet buffer to wait for descriptors. Frames are dropped, as by the
// real receiver (§3.2), when the receiver is off or the link down, when
// shorter than 64 or (RCTL.LPE clear) longer than 1522 bytes with FCS
// (counted in RUC and ROC), when no address filter passes them, and when
// the packet buffer is full too (counted in MPC, RXO raised).
func (m *Model) Receive(frame []byte) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	rctl := m.r[reg.RCTL/4]
	if rctl&reg.RCTL_EN == 0 || !m.lu {
		return false
	}
	if len(frame) < minETH {
		m.inc(reg.RUC, 1)
		return false
	}
	if len(frame) > maxETH && rctl&reg.RCTL_LPE == 0 {
		m.inc(reg.ROC, 1)
		return false
	}
	if !m.accept(frame) {
		return false
	}
	st, errs := m.rxChecksum(frame)
	p := rxFrame{data: append([]byte(nil), frame...), status: st, errs: errs, fromWire: true}
	if len(m.fifo) == 0 && m.rxStore(p) {
		return true
	}
	if len(m.fifo) < m.cfg.RxFIFO {
		m.inc(reg.RNBC, 1)
		m.fifo = append(m.fifo, p)
		return true
	}
	m.inc(reg.MPC, 1)
	m.raise(reg.ICR_RXO)
	return false
}

// Inject writes a frame straight into the receive ring with extra status
// and error bits on its last descriptor, bypassing the receiver's checks
// and packet buffer: for what a real device does only in corner cases
// (bad frames stored with RCTL.SBP, frames spanning buffers, runts). It
// reports false if the ring has no room.
func (m *Model) Inject(frame []byte, status, errs uint8) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.r[reg.RCTL/4]&reg.RCTL_EN == 0 {
		return false
	}
	return m.rxStore(rxFrame{data: append([]byte(nil), frame...), status: status, errs: errs})
}

func (m *Model) drainFIFO() {
	for len(m.fifo) > 0 && m.r[reg.RCTL/4]&reg.RCTL_EN != 0 && m.lu && m.rxStore(m.fifo[0]) {
		m.fifo[0] = rxFrame{}
		m.fifo = m.fifo[1:]
	}
}

// rxBufSize decodes RCTL.BSIZE and BSEX (§13.4.22).
func (m *Model) rxBufSize() int {
	rctl := m.r[reg.RCTL/4]
	size := 2048 >> (rctl & reg.RCTL_BSIZE_MASK >> 16)
	if rctl&reg.RCTL_BSEX != 0 {
		size *= 16
	}
	return size
}

// accept is the address filter (§13.5): station addresses in RAL/RAH,
// broadcasts with BAM, multicasts through the MTA hash or MPE, anything
// with UPE.
func (m *Model) accept(frame []byte) bool {
	rctl := m.r[reg.RCTL/4]
	var dst [6]byte
	copy(dst[:], frame)
	switch {
	case dst == [6]byte{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}:
		return rctl&reg.RCTL_BAM != 0
	case dst[0]&1 != 0:
		if rctl&reg.RCTL_MPE != 0 {
			return true
		}
		var h uint32
		switch rctl & reg.RCTL_MO_MASK >> 12 {
		case 0:
			h = uint32(dst[4])>>4 | uint32(dst[5])<<4
		case 1:
			h = uint32(dst[4])>>3 | uint32(dst[5])<<5
		case 2:
			h = uint32(dst[4])>>2 | uint32(dst[5])<<6
		case 3:
			h = uint32(dst[4]) | uint32(dst[5])<<8
		}
		h &= 0xFFF
		return m.r[reg.MTA/4+h>>5]&(1<<(h&31)) != 0
	}
	if rctl&reg.RCTL_UPE != 0 {
		return true
	}
	lo := uint32(dst[0]) | uint32(dst[1])<<8 | uint32(dst[2])<<16 | uint32(dst[3])<<24
	hi := uint32(dst[4]) | uint32(dst[5])<<8
	for i := range reg.RAEntries {
		rah := m.r[reg.RAH(i)/4]
		if rah&reg.RAH_AV != 0 && rah&0xFFFF == hi && m.r[reg.RAL(i)/4] == lo {
			return true
		}
	}
	return false
}

// rxChecksum is the receive checksum offload (RXCSUM):
// IPv4 header and TCP/UDP-over-IPv4 checksums of unfragmented packets.
func (m *Model) rxChecksum(frame []byte) (status, errs uint8) {
	rxcsum := m.r[reg.RXCSUM/4]
	if m.cfg.NoRxCsum || rxcsum&(reg.RXCSUM_IPOFL|reg.RXCSUM_TUOFL) == 0 {
		return reg.RXD_STAT_IXSM, 0
	}
	fl, ok := parse(frame)
	if !ok {
		return 0, 0
	}
	if rxcsum&reg.RXCSUM_IPOFL != 0 {
		status |= reg.RXD_STAT_IPCS
		ihl := fl.l4 - fl.l3
		if ether.Fold(ether.Sum(frame[fl.l3:fl.l3+ihl], 0)) != 0xFFFF {
			errs |= reg.RXD_ERR_IPE
		}
	}
	if rxcsum&reg.RXCSUM_TUOFL == 0 || fl.fragment {
		return status, errs
	}
	end := fl.l3 + int(binary.BigEndian.Uint16(frame[fl.l3+2:]))
	switch {
	case fl.proto == 6 && end >= fl.l4+20:
	case fl.proto == 17 && end >= fl.l4+8:
		if binary.BigEndian.Uint16(frame[fl.l4+6:]) == 0 {
			return status, errs // no checksum sent
		}
	default:
		return status, errs
	}
	status |= reg.RXD_STAT_TCPCS
	if !l4Valid(frame, fl) {
		errs |= reg.RXD_ERR_TCPE
	}
	return status, errs
}

// rxStore writes a frame into descriptors RDH, RDH+1, ... (§3.2.3),
// DD last on each, and raises RXT0 (and RXDMT0 when the free descriptors
// fall to the RCTL.RDMTS threshold).
func (m *Model) rxStore(p rxFrame) bool {
	base, n, head, tail := m.ring(reg.RDBAL, reg.RDBAH, reg.RDLEN, reg.RDH, reg.RDT)
	if n == 0 {
		return false
	}
	if head >= n || tail >= n {
		m.errorf("receive ring: RDH %d, RDT %d beyond %d descriptors", head, tail, n)
		return false
	}
	data := p.data
	if m.r[reg.RCTL/4]&reg.RCTL_SECRC == 0 {
		data = binary.LittleEndian.AppendUint32(append([]byte(nil), data...), crc32.ChecksumIEEE(data))
	}
	bsize := m.rxBufSize()
	need := max(1, (len(data)+bsize-1)/bsize)
	if need > (tail-head+n)%n {
		return false
	}
	for k := range need {
		d := m.descriptor(base, head)
		if d == nil {
			return false
		}
		chunk := data[min(k*bsize, len(data)):min((k+1)*bsize, len(data))]
		if addr := binary.LittleEndian.Uint64(d[reg.RDESC_ADDR:]); addr == 0 {
			m.errorf("receive descriptor %d has no buffer", head)
		} else if buf, err := m.dma.Bytes(addr, len(chunk)); err != nil {
			m.errorf("receive descriptor %d: %v", head, err)
		} else {
			copy(buf, chunk)
		}
		binary.LittleEndian.PutUint16(d[reg.RDESC_LENGTH:], uint16(len(chunk)))
		binary.LittleEndian.PutUint16(d[reg.RDESC_CSUM:], 0)
		st, e := uint8(reg.RXD_STAT_DD), uint8(0)
		if k == need-1 {
			st |= reg.RXD_STAT_EOP | p.status
			e = p.errs
		}
		dmaword.Store32(d, reg.RDESC_STATUS, uint32(st)|uint32(e)<<8)
		head = (head + 1) % n
	}
	m.r[reg.RDH/4] = uint32(head)
	m.counts.RxDelivered++
	if p.fromWire {
		size := len(p.data) + 4
		m.inc(reg.GPRC, 1)
		m.inc(reg.TPR, 1)
		m.inc64(reg.GORCL, uint64(size))
		m.inc64(reg.TORL, uint64(size))
		m.inc(sizeBucket(reg.PRC64, size), 1)
		switch {
		case [6]byte(p.data[:6]) == [6]byte{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}:
			m.inc(reg.BPRC, 1)
		case p.data[0]&1 != 0:
			m.inc(reg.MPRC, 1)
		}
	}
	cause := uint32(reg.ICR_RXT0)
	threshold := n >> (1 + (m.r[reg.RCTL/4]&reg.RCTL_RDMTS_MASK)>>8)
	if (tail-head+n)%n <= threshold {
		cause |= reg.ICR_RXDMT0
	}
	m.raise(cause)
	return true
}

// writeRDT hands receive descriptors to the device. The driver may give
// back only descriptors the device is done with: RDT must not reach RDH
// from behind, or the device would see an empty ring, or overwrite frames
// not yet read.
func (m *Model) writeRDT(v uint32) {
	_, n, head, tail := m.ring(reg.RDBAL, reg.RDBAH, reg.RDLEN, reg.RDH, reg.RDT)
	nt := int(v)
	if n > 0 {
		swOwned := (head - tail + n) % n
		if swOwned == 0 {
			swOwned = n
		}
		if nt >= n {
			m.errorf("RDT %d beyond the %d-descriptor ring", nt, n)
		} else if k := (nt - tail + n) % n; k >= swOwned {
			m.errorf("RDT moved from %d to %d past RDH %d: the device would overwrite frames not yet read", tail, nt, head)
		}
	}
	m.r[reg.RDT/4] = v
	m.drainFIFO()
}
