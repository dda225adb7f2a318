package e1000test

import (
	"encoding/binary"
	"time"

	"warren.dev/drivers/e1000/internal/reg"
	"warren.dev/drivers/ether"
	"warren.dev/drivers/internal/dmaword"
)

// txContext is the offload context the last context descriptor loaded
// (§3.3.6). The model keeps one, for checksums and segmentation alike.
type txContext struct {
	valid               bool
	ipcss, ipcso, ipcse int
	tucss, tucso, tucse int
	paylen              int
	tucmd               uint8
	hdrlen, mss         int
}

// txState is a frame being gathered from its descriptors.
type txState struct {
	ctx    txContext
	pkt    []byte
	active bool // some descriptors of a frame seen, not its EOP
	ext    bool // the frame is in data descriptors
	popts  uint8
	tse    bool
	bad    bool // already reported
}

// HoldTx stops (or restarts) the transmitter from fetching descriptors,
// as a link stalled by flow control would, so a driver's ring fills.
func (m *Model) HoldTx(hold bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.holdTx = hold
	m.transmit()
}

// Sent returns the frames put on the wire so far.
func (m *Model) Sent() [][]byte {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([][]byte(nil), m.sent...)
}

// TakeSent returns the frames put on the wire and forgets them.
func (m *Model) TakeSent() [][]byte {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.sent
	m.sent = nil
	return s
}

// WaitSent waits until n frames are on the wire (since the last
// TakeSent), or the timeout passes, and reports whether they are.
func (m *Model) WaitSent(n int, timeout time.Duration) bool {
	deadline := time.After(timeout)
	for {
		m.mu.Lock()
		k := len(m.sent)
		m.mu.Unlock()
		if k >= n {
			return true
		}
		select {
		case <-m.sentCh:
		case <-deadline:
			return false
		}
	}
}

// writeTDT hands transmit descriptors to the device. Moving TDT past TDH
// would hand back descriptors the device has not sent yet: the driver
// overwrote them.
func (m *Model) writeTDT(v uint32) {
	_, n, head, tail := m.ring(reg.TDBAL, reg.TDBAH, reg.TDLEN, reg.TDH, reg.TDT)
	nt := int(v)
	if n > 0 {
		if nt >= n {
			m.errorf("TDT %d beyond the %d-descriptor ring", nt, n)
		} else if before, after := (tail-head+n)%n, (nt-head+n)%n; after < before {
			m.errorf("TDT moved from %d to %d past TDH %d: descriptors not yet sent were overwritten", tail, nt, head)
		}
	}
	m.r[reg.TDT/4] = v
	m.transmit()
}

// transmit processes descriptors from TDH to TDT (§3.3), writing DD back
// into those with RS and raising TXDW, then TXQE.
func (m *Model) transmit() {
	if m.r[reg.TCTL/4]&reg.TCTL_EN == 0 || m.holdTx {
		return
	}
	base, n, head, tail := m.ring(reg.TDBAL, reg.TDBAH, reg.TDLEN, reg.TDH, reg.TDT)
	if n == 0 || head >= n || tail >= n {
		return
	}
	if head == tail {
		return
	}
	cause := uint32(reg.ICR_TXQE)
	for head != tail {
		d := m.descriptor(base, head)
		if d == nil {
			break
		}
		m.txDescriptor(d)
		if d[reg.TDESC_CMD]&reg.TXD_CMD_RS != 0 {
			w := binary.LittleEndian.Uint32(d[reg.TDESC_STA:])
			dmaword.Store32(d, reg.TDESC_STA, w|reg.TXD_STAT_DD)
			cause |= reg.ICR_TXDW
		}
		head = (head + 1) % n
		m.r[reg.TDH/4] = uint32(head)
	}
	m.raise(cause)
}

func (m *Model) txDescriptor(d []byte) {
	t := &m.tx
	cmd := d[reg.TDESC_CMD]
	var length int
	switch {
	case cmd&reg.TXD_CMD_DEXT == 0: // legacy
		length = int(binary.LittleEndian.Uint16(d[reg.TDESC_LENGTH:]))
		if cmd&reg.TXD_CMD_IC != 0 {
			m.errorf("legacy checksum insertion (CMD.IC) is not modelled")
		}
		if t.active && t.ext {
			m.errorf("legacy descriptor inside a frame of data descriptors")
		}
	case d[10]>>4 == reg.TXD_DTYP_C:
		m.counts.Contexts++
		if t.active {
			m.errorf("context descriptor inside a frame")
		}
		t.ctx = txContext{
			valid:  true,
			ipcss:  int(d[reg.TDESC_IPCSS]),
			ipcso:  int(d[reg.TDESC_IPCSO]),
			ipcse:  int(binary.LittleEndian.Uint16(d[reg.TDESC_IPCSE:])),
			tucss:  int(d[reg.TDESC_TUCSS]),
			tucso:  int(d[reg.TDESC_TUCSO]),
			tucse:  int(binary.LittleEndian.Uint16(d[reg.TDESC_TUCSE:])),
			paylen: int(binary.LittleEndian.Uint32(d[reg.TDESC_LENGTH:]) & reg.TXD_LEN_MASK),
			tucmd:  cmd,
			hdrlen: int(d[reg.TDESC_HDRLEN]),
			mss:    int(binary.LittleEndian.Uint16(d[reg.TDESC_MSS:])),
		}
		return
	case d[10]>>4 == reg.TXD_DTYP_D:
		length = int(binary.LittleEndian.Uint32(d[reg.TDESC_LENGTH:]) & reg.TXD_LEN_MASK)
		if !t.active {
			t.ext = true
			t.popts = d[reg.TDESC_POPTS]
			t.tse = cmd&reg.TXD_CMD_TSE != 0
		} else if !t.ext {
			m.errorf("data descriptor inside a frame of legacy descriptors")
		}
	default:
		m.errorf("transmit descriptor type %d", d[10]>>4)
		return
	}
	t.active = true
	if cmd&reg.TXD_CMD_IFCS == 0 && !t.bad {
		m.errorf("frame without IFCS: it would go out with no FCS")
		t.bad = true
	}
	if length > 0 {
		buf, err := m.dma.Bytes(binary.LittleEndian.Uint64(d[reg.TDESC_ADDR:]), length)
		if err != nil {
			m.errorf("transmit buffer: %v", err)
		} else {
			t.pkt = append(t.pkt, buf...)
		}
	}
	if cmd&reg.TXD_CMD_EOP != 0 {
		m.finishFrame()
	}
}

// finishFrame applies the offloads to a gathered frame and sends it.
func (m *Model) finishFrame() {
	t := &m.tx
	pkt := t.pkt
	c := &t.ctx
	switch {
	case t.ext && t.tse:
		m.segment(pkt)
	case t.ext:
		if t.popts != 0 && !c.valid {
			m.errorf("checksum offload without a context descriptor")
		} else if c.tucmd&reg.TXD_CMD_TSE != 0 {
			m.errorf("checksum offload under a segmentation context")
		}
		if t.popts&reg.TXD_POPTS_TXSM != 0 && !putsum(pkt, c.tucss, c.tucso, c.tucse) {
			m.errorf("TUCSS %d / TUCSO %d outside a %d-byte frame", c.tucss, c.tucso, len(pkt))
		}
		if t.popts&reg.TXD_POPTS_IXSM != 0 && !putsum(pkt, c.ipcss, c.ipcso, c.ipcse) {
			m.errorf("IPCSS %d / IPCSO %d outside a %d-byte frame", c.ipcss, c.ipcso, len(pkt))
		}
		m.toWire(pkt, maxETH)
	default:
		m.toWire(pkt, maxETH)
	}
	t.pkt = t.pkt[:0]
	t.active, t.ext, t.popts, t.tse, t.bad = false, false, 0, false, false
}

// segment is TCP segmentation (§3.5): the payload after HDRLEN bytes is
// cut into MSS-byte pieces, each sent behind a copy of the header with
// the IP length and ID, TCP sequence number and flags, and both checksums
// fixed up. The TCP checksum field holds the pseudo-header sum without a
// length; the segment's length is added to it.
func (m *Model) segment(pkt []byte) {
	c := m.tx.ctx
	if !c.valid || c.tucmd&reg.TXD_CMD_TSE == 0 {
		m.errorf("TSE data descriptor without a segmentation context")
		return
	}
	if c.hdrlen > len(pkt) || c.mss == 0 {
		m.errorf("segmentation context HDRLEN %d, MSS %d for a %d-byte frame", c.hdrlen, c.mss, len(pkt))
		return
	}
	hdr, payload := pkt[:c.hdrlen], pkt[c.hdrlen:]
	if len(payload) != c.paylen {
		m.errorf("PAYLEN %d, but the frame carries %d payload bytes", c.paylen, len(payload))
	}
	if c.tucso+2 > c.hdrlen || c.ipcso+2 > c.hdrlen || c.tucss+14 > c.hdrlen {
		m.errorf("segmentation context offsets beyond HDRLEN %d", c.hdrlen)
		return
	}
	ipv4, tcp := c.tucmd&reg.TUCMD_IP != 0, c.tucmd&reg.TUCMD_TCP != 0
	count := (len(payload) + c.mss - 1) / c.mss
	for i := range count {
		chunk := payload[i*c.mss : min((i+1)*c.mss, len(payload))]
		seg := append(append([]byte(nil), hdr...), chunk...)
		if ipv4 {
			binary.BigEndian.PutUint16(seg[c.ipcss+2:], uint16(len(seg)-c.ipcss))
			binary.BigEndian.PutUint16(seg[c.ipcss+4:], binary.BigEndian.Uint16(hdr[c.ipcss+4:])+uint16(i))
		} else {
			binary.BigEndian.PutUint16(seg[c.ipcss+4:], uint16(len(seg)-c.ipcss-40))
		}
		if tcp {
			seq := binary.BigEndian.Uint32(hdr[c.tucss+4:])
			binary.BigEndian.PutUint32(seg[c.tucss+4:], seq+uint32(i*c.mss))
			if i < count-1 {
				seg[c.tucss+13] &^= 0x09 // FIN, PSH
			}
		} else {
			binary.BigEndian.PutUint16(seg[c.tucss+4:], uint16(len(seg)-c.tucss))
		}
		if m.tx.popts&reg.TXD_POPTS_TXSM != 0 {
			seed := uint32(binary.BigEndian.Uint16(seg[c.tucso:])) + uint32(len(seg)-c.tucss)
			binary.BigEndian.PutUint16(seg[c.tucso:], ether.Fold(uint64(seed)))
			putsum(seg, c.tucss, c.tucso, 0)
		}
		if m.tx.popts&reg.TXD_POPTS_IXSM != 0 {
			putsum(seg, c.ipcss, c.ipcso, c.ipcse)
		}
		m.toWire(seg, c.hdrlen+c.mss)
	}
	m.inc(reg.TSCTC, 1)
}

// toWire sends a frame: padded to 60 bytes with TCTL.PSP, counted.
func (m *Model) toWire(frame []byte, limit int) {
	if len(frame) < 48 {
		m.errorf("%d-byte frame: the device wants at least 48 bytes before padding (§3.3.3)", len(frame))
	}
	if len(frame) > limit {
		m.errorf("%d-byte frame on the wire, limit %d", len(frame), limit)
	}
	out := append([]byte(nil), frame...)
	if m.r[reg.TCTL/4]&reg.TCTL_PSP != 0 && len(out) < minETH {
		out = append(out, make([]byte, minETH-len(out))...)
	}
	m.sent = append(m.sent, out)
	select {
	case m.sentCh <- struct{}{}:
	default:
	}
	m.counts.TxFrames++
	size := len(out) + 4
	m.inc(reg.TPT, 1)
	m.inc(reg.GPTC, 1)
	m.inc64(reg.GOTCL, uint64(size))
	m.inc64(reg.TOTL, uint64(size))
	m.inc(sizeBucket(reg.PTC64, size), 1)
	switch {
	case len(out) >= 6 && [6]byte(out[:6]) == [6]byte{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}:
		m.inc(reg.BPTC, 1)
	case len(out) >= 1 && out[0]&1 != 0:
		m.inc(reg.MPTC, 1)
	}
}
