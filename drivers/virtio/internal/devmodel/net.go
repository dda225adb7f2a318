package devmodel

import (
	"encoding/binary"
	"fmt"
	"sync"
	"time"

	"warren.dev/drivers/hw/hwtest"
)

// virtio-net feature bits the model knows (§5.1.3).
const (
	NetFCsum       = 1 << 0
	NetFGuestCsum  = 1 << 1
	NetFMTU        = 1 << 3
	NetFMAC        = 1 << 5
	NetFGuestTSO4  = 1 << 7
	NetFGuestTSO6  = 1 << 8
	NetFGuestECN   = 1 << 9
	NetFGuestUFO   = 1 << 10
	NetFHostTSO4   = 1 << 11
	NetFHostTSO6   = 1 << 12
	NetFHostECN    = 1 << 13
	NetFHostUFO    = 1 << 14
	NetFMrgRxbuf   = 1 << 15
	NetFStatus     = 1 << 16
	NetFCtrlVQ     = 1 << 17
	NetFCtrlRx     = 1 << 18
	NetFCtrlVLAN   = 1 << 19
	NetFAnnounce   = 1 << 21
	NetFMQ         = 1 << 22
	NetFCtrlMAC    = 1 << 23
	FVersion1      = featVersion1
	FEventIdx      = featEventIdx
	FIndirect      = 1 << 28
	FAccessPlatfrm = 1 << 33
)

// Header flags and GSO types (struct virtio_net_hdr, §5.1.6).
const (
	HdrNeedsCsum = 1
	HdrDataValid = 2
	GSONone      = 0
	GSOTCPv4     = 1
	GSOUDP       = 3
	GSOTCPv6     = 4
	GSOECN       = 0x80
	hdrLen       = 12
)

// NetHdr is struct virtio_net_hdr with num_buffers (VERSION_1).
type NetHdr struct {
	Flags      uint8
	GSOType    uint8
	HdrLen     uint16
	GSOSize    uint16
	CsumStart  uint16
	CsumOffset uint16
	NumBuffers uint16
}

func (h NetHdr) put(b []byte) {
	b[0], b[1] = h.Flags, h.GSOType
	binary.LittleEndian.PutUint16(b[2:], h.HdrLen)
	binary.LittleEndian.PutUint16(b[4:], h.GSOSize)
	binary.LittleEndian.PutUint16(b[6:], h.CsumStart)
	binary.LittleEndian.PutUint16(b[8:], h.CsumOffset)
	binary.LittleEndian.PutUint16(b[10:], h.NumBuffers)
}

func parseHdr(b []byte) NetHdr {
	return NetHdr{
		Flags: b[0], GSOType: b[1],
		HdrLen:     binary.LittleEndian.Uint16(b[2:]),
		GSOSize:    binary.LittleEndian.Uint16(b[4:]),
		CsumStart:  binary.LittleEndian.Uint16(b[6:]),
		CsumOffset: binary.LittleEndian.Uint16(b[8:]),
		NumBuffers: binary.LittleEndian.Uint16(b[10:]),
	}
}

// Packet is a frame on the wire side of the model, with its header.
type Packet struct {
	Hdr  NetHdr
	Data []byte
	// Queue is the pair whose queue carries it: for Inject, the receive
	// queue to deliver it on (modulo the pairs in use, as a device
	// steers only to those); for Sent, the transmit queue it came from.
	Queue int
}

// NetOptions configure the virtio-net personality.
type NetOptions struct {
	MAC       [6]byte
	LinkUp    bool
	MTU       uint16 // device config mtu (with NetFMTU)
	QueueSize uint16 // maximum size of every queue (default 256)
	// MaxPairs is max_virtqueue_pairs (default 1): with NetFMQ offered
	// the device has that many receive/transmit pairs (netmq.go).
	MaxPairs uint16
	// CtrlNAK makes the device answer every control command with
	// VIRTIO_NET_ERR.
	CtrlNAK bool
	// HoldTX keeps transmitted buffers instead of completing them, until
	// CompleteTX.
	HoldTX bool
	// PublishEachBuffer publishes the used index after each buffer of a
	// merged receive packet instead of once per packet.
	PublishEachBuffer bool
}

// Net is a virtio-net device: receiveqN (queue 2(N-1)) and transmitqN
// (queue 2(N-1)+1) for each of MaxPairs pairs, then, if NetFCtrlVQ is
// offered, the control queue.
type Net struct {
	*Device
	opts    NetOptions
	offered uint64

	// Guarded by Device.mu.
	pairs     int        // in use: 1 until the driver sets more
	rxWaiting [][]Packet // per pair: injected, waiting for receive buffers
	sent      []Packet
	sentCond  *sync.Cond
	held      []heldTX
	chains    []chain  // deliver's scratch
	stall     txStall  // of transmitq1 only
	ctrl      []string // control commands, as ctrlString shows them
	// rxTooBig counts packets dropped because (without MRG_RXBUF) a
	// receive buffer was too small.
	rxTooBig int
}

// NewNet returns a virtio-net device model; Close it when done.
func NewNet(dma *hwtest.DMA, ints *hwtest.Interrupts, o Options, no NetOptions) *Net {
	if no.QueueSize == 0 {
		no.QueueSize = 256
	}
	if no.MaxPairs == 0 {
		no.MaxPairs = 1
	}
	cfg := make([]byte, 12)
	copy(cfg, no.MAC[:])
	if no.LinkUp {
		cfg[6] = 1
	}
	binary.LittleEndian.PutUint16(cfg[8:], no.MaxPairs)
	binary.LittleEndian.PutUint16(cfg[10:], no.MTU)
	o.Config = cfg
	n := &Net{opts: no, offered: o.Features, pairs: 1, rxWaiting: make([][]Packet, no.MaxPairs)}
	n.Device = New(dma, ints, n, o)
	n.sentCond = sync.NewCond(&n.mu)
	return n
}

// DeviceID implements Personality.
func (n *Net) DeviceID() uint32 { return 1 }

// Queues implements Personality.
func (n *Net) Queues() []uint16 {
	qs := make([]uint16, 2*n.opts.MaxPairs)
	if n.offered&NetFCtrlVQ != 0 {
		qs = append(qs, 0)
	}
	for i := range qs {
		qs[i] = n.opts.QueueSize
	}
	return qs
}

// Reset implements Personality.
func (n *Net) Reset() {
	n.held, n.stall = nil, txStall{}
	n.setPairs(1)
}

// CheckFeatures implements Personality: the dependencies of §5.1.3.1.
func (n *Net) CheckFeatures(f uint64) error {
	deps := []struct{ f, needAny uint64 }{
		{NetFGuestTSO4, NetFGuestCsum}, {NetFGuestTSO6, NetFGuestCsum}, {NetFGuestUFO, NetFGuestCsum},
		{NetFGuestECN, NetFGuestTSO4 | NetFGuestTSO6},
		{NetFHostTSO4, NetFCsum}, {NetFHostTSO6, NetFCsum}, {NetFHostUFO, NetFCsum},
		{NetFHostECN, NetFHostTSO4 | NetFHostTSO6},
		{NetFCtrlRx, NetFCtrlVQ}, {NetFCtrlVLAN, NetFCtrlVQ}, {NetFAnnounce, NetFCtrlVQ},
		{NetFMQ, NetFCtrlVQ}, {NetFCtrlMAC, NetFCtrlVQ},
	}
	for _, d := range deps {
		if f&d.f != 0 && f&d.needAny == 0 {
			return fmt.Errorf("feature %#x without %#x", d.f, d.needAny)
		}
	}
	return nil
}

// Process implements Personality.
func (n *Net) Process(d *Device) {
	ev := d.Negotiated(FEventIdx)
	if d.Negotiated(NetFCtrlVQ) {
		n.control(d)
	}
	for p := range n.pairs {
		n.processPair(d, p, ev)
	}
}

// processPair serves one pair's queues until neither has work.
func (n *Net) processPair(d *Device, p int, ev bool) {
	rx, tx := d.queue(2*p), d.queue(2*p+1)
	for {
		serveTX := p > 0 || n.txServed(d)
		if serveTX {
			tx.busy(ev)
			n.transmit(d, tx, p, ev)
			if tx.publish(ev) {
				d.signalQueue(tx)
			}
		}
		rx.busy(ev)
		seen := rx.availNow()
		delivered := n.receive(d, rx, p, ev)
		if rx.publish(ev) {
			d.signalQueue(rx)
		}
		// A transmit queue stopped by StallTX is not looked at again.
		more := serveTX && !n.stall.stopped && tx.idle(ev)
		// Packets wait: look again if buffers came, but not at buffers
		// too small for the next packet, which spun here with the lock
		// held while the driver waited for it to add more.
		if len(n.rxWaiting[p]) > 0 && (delivered && rx.idle(ev) || !delivered && rx.waitBeyond(ev, seen)) {
			more = true
		}
		if !more {
			return
		}
	}
}

// transmit sends what the driver made available on pair p's transmit
// queue, unless StallTX stops transmitq1 first.
func (n *Net) transmit(d *Device, q *vq, p int, ev bool) {
	for n.transmitOne(d, q, p) {
		if p == 0 && n.stall.consumed(d, q, ev) {
			return
		}
	}
}

// transmitOne takes one chain from the transmit queue and sends it; false
// means there was none.
func (n *Net) transmitOne(d *Device, q *vq, pair int) bool {
	q.releaseSegs()
	c, ok, err := q.pop(d.DMA)
	if err != nil {
		d.Violationf("transmitq: %v", err)
		return false
	}
	if !ok {
		return false
	}
	var b []byte
	for _, s := range c.segs {
		if s.writable {
			d.Violationf("transmitq: device-writable descriptor")
		}
		b = append(b, s.buf...)
	}
	if len(b) < hdrLen {
		d.Violationf("transmitq: %d-byte buffer has no header", len(b))
	} else {
		p := Packet{Hdr: parseHdr(b), Data: b[hdrLen:], Queue: pair}
		n.checkTX(d, p)
		n.sent = append(n.sent, p)
		n.sentCond.Broadcast()
	}
	if n.opts.HoldTX {
		n.held = append(n.held, heldTX{q, c.head})
	} else {
		q.use(c.head, 0)
	}
	return true
}

// checkTX applies the driver requirements of §5.1.6.2.1.
func (n *Net) checkTX(d *Device, p Packet) {
	h := p.Hdr
	if h.NumBuffers != 0 {
		d.Violationf("transmit header num_buffers %d", h.NumBuffers)
	}
	if h.Flags&HdrNeedsCsum != 0 {
		if !d.Negotiated(NetFCsum) {
			d.Violationf("NEEDS_CSUM without VIRTIO_NET_F_CSUM")
		}
		if int(h.CsumStart)+int(h.CsumOffset)+2 > len(p.Data) {
			d.Violationf("checksum at %d+%d outside a %d-byte frame", h.CsumStart, h.CsumOffset, len(p.Data))
		}
	}
	if h.Flags&^HdrNeedsCsum != 0 {
		d.Violationf("transmit header flags %#x", h.Flags)
	}
	gso := h.GSOType &^ GSOECN
	switch {
	case h.GSOType == GSONone:
		if d.Negotiated(NetFMTU) && len(p.Data) > int(n.opts.MTU)+14 {
			d.Violationf("%d-byte frame exceeds mtu %d", len(p.Data), n.opts.MTU)
		}
		return
	case gso == GSOTCPv4 && !d.Negotiated(NetFHostTSO4),
		gso == GSOTCPv6 && !d.Negotiated(NetFHostTSO6),
		gso == GSOUDP && !d.Negotiated(NetFHostUFO),
		gso != GSOTCPv4 && gso != GSOTCPv6 && gso != GSOUDP:
		d.Violationf("gso_type %#x not negotiated", h.GSOType)
	case h.GSOType&GSOECN != 0 && !d.Negotiated(NetFHostECN):
		d.Violationf("GSO ECN without VIRTIO_NET_F_HOST_ECN")
	}
	if h.Flags&HdrNeedsCsum == 0 || h.GSOSize == 0 {
		d.Violationf("GSO without NEEDS_CSUM or gso_size")
	}
}

// receive delivers the packets waiting for pair p while buffers last and
// reports whether it delivered any.
func (n *Net) receive(d *Device, q *vq, p int, ev bool) (delivered bool) {
	for len(n.rxWaiting[p]) > 0 {
		if !n.deliver(d, q, ev, n.rxWaiting[p][0]) {
			return delivered
		}
		n.rxWaiting[p] = n.rxWaiting[p][1:]
		delivered = true
	}
	return delivered
}

// deliver writes one packet into receive buffers; false means it has to
// wait for buffers.
func (n *Net) deliver(d *Device, q *vq, ev bool, p Packet) bool {
	mrg := d.Negotiated(NetFMrgRxbuf)
	need := hdrLen + len(p.Data)
	q.releaseSegs()
	chains := n.chains[:0]
	defer func() { n.chains = chains[:0] }()
	room := 0
	for room < need {
		c, ok, err := q.pop(d.DMA)
		if err != nil {
			d.Violationf("receiveq: %v", err)
			return false
		}
		if !ok {
			q.unpop(chains)
			return false
		}
		for _, s := range c.segs {
			if !s.writable {
				d.Violationf("receiveq: device-readable descriptor")
			}
		}
		chains = append(chains, c)
		room += c.writableLen()
		if !mrg {
			break
		}
	}
	if room < need {
		q.unpop(chains)
		n.rxTooBig++
		return true
	}
	h := p.Hdr
	h.NumBuffers = uint16(len(chains))
	var hb [hdrLen]byte
	h.put(hb[:])
	src := [2][]byte{hb[:], p.Data}
	for _, c := range chains {
		written := 0
		for _, s := range c.segs {
			for len(s.buf) > 0 && len(src[0])+len(src[1]) > 0 {
				part := &src[0]
				if len(*part) == 0 {
					part = &src[1]
				}
				k := copy(s.buf, *part)
				*part = (*part)[k:]
				s.buf = s.buf[k:]
				written += k
			}
		}
		q.use(c.head, uint32(written))
		if n.opts.PublishEachBuffer && q.publish(ev) {
			d.signalQueue(q)
		}
	}
	return true
}

// Inject queues a packet for the driver on receive queue p.Queue (modulo
// the pairs in use); the device delivers it when that queue has receive
// buffers. NumBuffers is set by the device.
func (n *Net) Inject(p Packet) {
	n.mu.Lock()
	q := p.Queue % n.pairs
	n.rxWaiting[q] = append(n.rxWaiting[q], p)
	n.mu.Unlock()
	n.Kick()
}

// RXWaiting is the number of injected packets not yet delivered.
func (n *Net) RXWaiting() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	w := 0
	for _, ps := range n.rxWaiting {
		w += len(ps)
	}
	return w
}

// RXTooBig is the number of packets dropped for a short receive buffer.
func (n *Net) RXTooBig() int { n.mu.Lock(); defer n.mu.Unlock(); return n.rxTooBig }

// Sent returns the packets transmitted so far.
func (n *Net) Sent() []Packet {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]Packet(nil), n.sent...)
}

// WaitSent waits until count packets have been transmitted.
func (n *Net) WaitSent(count int, timeout time.Duration) ([]Packet, error) {
	deadline := time.Now().Add(timeout)
	t := time.AfterFunc(timeout, func() { n.mu.Lock(); n.sentCond.Broadcast(); n.mu.Unlock() })
	defer t.Stop()
	n.mu.Lock()
	defer n.mu.Unlock()
	for len(n.sent) < count {
		if time.Now().After(deadline) {
			return append([]Packet(nil), n.sent...), fmt.Errorf("devmodel: %d of %d packets sent", len(n.sent), count)
		}
		n.sentCond.Wait()
	}
	return append([]Packet(nil), n.sent...), nil
}

// SetHoldTX switches holding of transmitted buffers.
func (n *Net) SetHoldTX(hold bool) { n.mu.Lock(); n.opts.HoldTX = hold; n.mu.Unlock() }

// Held is the number of transmit buffers the device holds.
func (n *Net) Held() int { n.mu.Lock(); defer n.mu.Unlock(); return len(n.held) }

// heldTX is a transmit buffer HoldTX keeps.
type heldTX struct {
	q    *vq
	head uint16
}

// CompleteTX completes up to k held transmit buffers (all if k < 0), in
// the order they were sent.
func (n *Net) CompleteTX(k int) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if k < 0 || k > len(n.held) {
		k = len(n.held)
	}
	for _, h := range n.held[:k] {
		h.q.use(h.head, 0)
	}
	for _, h := range n.held[:k] {
		if h.q.publish(n.Negotiated(FEventIdx)) {
			n.signalQueue(h.q)
		}
	}
	n.held = n.held[k:]
}

// SetLink changes the link status bit and notifies the driver.
func (n *Net) SetLink(up bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if up {
		n.config[6] |= 1
	} else {
		n.config[6] &^= 1
	}
	n.ConfigChanged()
}
