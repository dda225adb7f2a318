package link

import (
	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/header"
	"gvisor.dev/gvisor/pkg/tcpip/stack"

	"warren.dev/drivers/ether"
)

// txBatch is the scratch state of one WritePackets call, pooled so the
// transmit path does not allocate per call.
type txBatch struct {
	frames  []ether.Frame
	perPkt  []int  // frames made from each packet, in order
	flat    []byte // arena: GSO packets flattened for software segmentation
	scratch []byte // arena: segment headers
}

func (b *txBatch) reset() {
	clear(b.frames) // drop references to packet memory
	b.frames = b.frames[:0]
	b.perPkt = b.perPkt[:0]
	b.flat = b.flat[:0]
	b.scratch = b.scratch[:0]
}

// alloc returns n bytes of the flat arena. A full arena is replaced, not
// grown, so frames already pointing into it stay valid.
func (b *txBatch) alloc(n int) []byte {
	if cap(b.flat)-len(b.flat) < n {
		b.flat = make([]byte, 0, max(n, 2*cap(b.flat)))
	}
	start := len(b.flat)
	b.flat = b.flat[:start+n]
	return b.flat[start:]
}

// WritePackets implements stack.LinkEndpoint. All packets of the list go
// to the device in one Transmit call. The packets are only borrowed: the
// device is done with them when Transmit returns.
func (e *Endpoint) WritePackets(pkts stack.PacketBufferList) (int, tcpip.Error) {
	b := e.txPool.Get().(*txBatch)
	defer func() {
		b.reset()
		e.txPool.Put(b)
	}()
	for _, pkt := range pkts.AsSlice() {
		before := len(b.frames)
		e.appendFrames(b, pkt)
		b.perPkt = append(b.perPkt, len(b.frames)-before)
	}

	sent, err := e.send(b.frames)

	// A packet counts as written when all of its frames were accepted.
	written, left := 0, sent
	for _, n := range b.perPkt {
		if n > left {
			break
		}
		left -= n
		written++
	}
	switch {
	case written == len(b.perPkt):
		return written, nil
	case err != nil:
		return written, &tcpip.ErrClosedForSend{}
	default:
		return written, &tcpip.ErrNoBufferSpace{}
	}
}

// send transmits frames and counts them.
func (e *Endpoint) send(frames []ether.Frame) (int, error) {
	sent, err := e.transmit(frames)
	var bytes uint64
	for i := range frames[:sent] {
		bytes += uint64(frames[i].Len())
	}
	e.txPackets.Add(uint64(sent))
	e.txBytes.Add(bytes)
	e.txDropped.Add(uint64(len(frames) - sent))
	if err != nil {
		e.txErrors.Add(1)
	}
	return sent, err
}

// maxTXWaits bounds how often one WritePackets waits for ring space
// before it drops the rest, so a stalled device cannot hang the stack.
const maxTXWaits = 64

// transmit hands frames to the NIC. When its ring is full and it can say
// when room comes back (TXWaiter), transmit waits and goes on: dropping
// would leave TCP to recover by retransmission timeouts, which collapses
// throughput on a fast sender. Replies sent from the receiver wait too,
// on the NIC's receive goroutine, which TXWaiter allows for.
func (e *Endpoint) transmit(frames []ether.Frame) (int, error) {
	w, canWait := e.nic.(TXWaiter)
	sent := 0
	for waits := 0; ; waits++ {
		n, err := e.nic.Transmit(frames[sent:])
		sent += max(0, min(n, len(frames)-sent))
		if sent == len(frames) || !canWait || waits == maxTXWaits {
			return sent, err
		}
		if werr := w.WaitTXSpace(&frames[sent]); werr != nil {
			return sent, werr
		}
	}
}

// appendFrames turns one packet into the frames the device is given: one
// frame, or many when a large TCP segment must be cut in software.
func (e *Endpoint) appendFrames(b *txBatch, pkt *stack.PacketBuffer) {
	gso := pkt.GSOOptions
	if gso.Type != stack.GSOTCPv4 && gso.Type != stack.GSOTCPv6 {
		b.frames = append(b.frames, ether.Frame{Data: pkt.AsSlices()})
		return
	}

	csumStart := uint16(header.EthernetMinimumSize + len(pkt.NetworkHeader().Slice()))
	hdrLen := csumStart + uint16(len(pkt.TransportHeader().Slice()))
	devCsum := e.feats.Has(ether.FeatureTXCsum)
	tso := ether.FeatureTSO4
	typ := ether.GSOTCPv4
	if gso.Type == stack.GSOTCPv6 {
		tso, typ = ether.FeatureTSO6, ether.GSOTCPv6
	}
	large := pkt.Data().Size() > int(gso.MSS)

	switch {
	case large && e.feats.Has(tso):
		b.frames = append(b.frames, ether.Frame{
			Data:      pkt.AsSlices(),
			NeedsCsum: gso.NeedsCsum, CsumStart: csumStart, CsumOffset: gso.CsumOffset,
			GSOType: typ, GSOSize: gso.MSS, HdrLen: hdrLen,
		})
	case large:
		e.txSegmented.Add(1)
		flat := b.alloc(pkt.Size())
		copyPacket(flat, pkt)
		b.frames, b.scratch = SegmentTCP(flat, int(gso.MSS), devCsum, b.scratch, b.frames)
	case gso.NeedsCsum && devCsum:
		b.frames = append(b.frames, ether.Frame{
			Data:      pkt.AsSlices(),
			NeedsCsum: true, CsumStart: csumStart, CsumOffset: gso.CsumOffset,
		})
	default:
		if gso.NeedsCsum {
			finishTCPChecksum(pkt)
		}
		b.frames = append(b.frames, ether.Frame{Data: pkt.AsSlices()})
	}
}

// finishTCPChecksum completes in software the checksum netstack left for
// the device: the field holds the pseudo-header sum.
func finishTCPChecksum(pkt *stack.PacketBuffer) {
	th := header.TCP(pkt.TransportHeader().Slice())
	seed := th.Checksum()
	th.SetChecksum(0)
	sum := ether.Sum(th, uint64(seed)) + uint64(pkt.Data().Checksum())
	th.SetChecksum(^ether.Fold(sum))
}

// copyPacket flattens pkt into dst, which is pkt.Size() long.
func copyPacket(dst []byte, pkt *stack.PacketBuffer) {
	n := 0
	for _, s := range pkt.AsSlices() {
		n += copy(dst[n:], s)
	}
}
