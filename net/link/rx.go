package link

import (
	"gvisor.dev/gvisor/pkg/buffer"
	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/header"
	"gvisor.dev/gvisor/pkg/tcpip/stack"

	"warren.dev/drivers/ether"
)

// Received TCP segments of one flow that arrive together (a driver's
// batch, Frame.More) are merged by netstack's GRO before the stack sees
// them, as Linux's GRO does: one segment of up to 64 KiB costs TCP what
// one of 1,460 bytes does. A multiqueue driver delivers from a goroutine
// per receive queue: groMu keeps GRO's state safe, and a batch's flush
// also flushes what another queue enqueued, which is only early.

// maxFrameSlack allows a VLAN tag or a frame check sequence that a device
// leaves on a received frame.
const maxFrameSlack = 8

// maxCoalesced bounds a coalesced frame (FeatureRXGSO): the largest IP
// packet, its Ethernet header and the slack.
const maxCoalesced = header.EthernetMinimumSize + 0xffff + maxFrameSlack

// maxFrame is the largest frame the endpoint takes as f.
func (e *Endpoint) maxFrame(f *ether.Frame) int {
	if f.GSOType != ether.GSONone && e.feats.Has(ether.FeatureRXGSO) {
		return maxCoalesced
	}
	return int(e.MTU()) + header.EthernetMinimumSize + maxFrameSlack
}

// receive is the NIC's receiver: it runs on the driver's goroutine.
func (e *Endpoint) receive(f ether.Frame) {
	e.deliverMu.RLock()
	defer e.deliverMu.RUnlock()

	n := f.Len()
	if n < header.EthernetMinimumSize || n > e.maxFrame(&f) {
		e.rxMalformed.Add(1)
		return
	}
	box := e.dispatcher.Load()
	if box == nil {
		e.rxDropped.Add(1)
		return
	}

	// The payload is copied into netstack's pooled chunks, so the driver's
	// buffer is free again when this returns.
	var payload buffer.Buffer
	if len(f.Data) == 1 {
		payload = buffer.MakeWithData(f.Data[0])
	} else {
		for _, b := range f.Data {
			if len(b) > 0 {
				payload.Append(buffer.NewViewWithData(b))
			}
		}
	}
	pkt := stack.NewPacketBuffer(stack.PacketBufferOptions{Payload: payload})
	defer pkt.DecRef()

	hdr, _ := pkt.LinkHeader().Consume(header.EthernetMinimumSize)
	eth := header.Ethernet(hdr)
	switch dst := eth.DestinationAddress(); {
	case dst == header.EthernetBroadcastAddress:
		pkt.PktType = tcpip.PacketBroadcast
	case header.IsMulticastEthernetAddress(dst):
		pkt.PktType = tcpip.PacketMulticast
	case dst == e.LinkAddress():
		pkt.PktType = tcpip.PacketHost
	default:
		// A device in promiscuous mode, or a switch flooding: not ours.
		e.rxDropped.Add(1)
		return
	}
	if e.feats.Has(ether.FeatureRXCsum) && !f.CsumValid && !csumValid(ipBytes(f), uint16(eth.Type())) {
		// netstack will take the frame as checked (rxcsum.go): drop it.
		e.rxBadChecksum.Add(1)
		return
	}
	pkt.RXChecksumValidated = f.CsumValid && e.feats.Has(ether.FeatureRXCsum)

	e.rxPackets.Add(1)
	e.rxBytes.Add(uint64(n))
	if n > int(e.MTU())+header.EthernetMinimumSize {
		e.rxCoalesced.Add(1)
	}
	pkt.NetworkProtocolNumber = eth.Type()
	e.groMu.Lock()
	defer e.groMu.Unlock()
	e.gro.Dispatcher = box.d
	e.gro.Enqueue(pkt)
	if !f.More {
		e.gro.Flush()
	}
}

// ipBytes is the frame after its Ethernet header, in one slice.
func ipBytes(f ether.Frame) []byte {
	if len(f.Data) == 1 {
		return f.Data[0][header.EthernetMinimumSize:]
	}
	flat := make([]byte, 0, f.Len())
	for _, b := range f.Data {
		flat = append(flat, b...)
	}
	return flat[header.EthernetMinimumSize:]
}

// AddHeader implements stack.LinkEndpoint: it pushes the Ethernet header.
func (e *Endpoint) AddHeader(pkt *stack.PacketBuffer) {
	eth := header.Ethernet(pkt.LinkHeader().Push(header.EthernetMinimumSize))
	src := pkt.EgressRoute.LocalLinkAddress
	if src == "" {
		src = e.LinkAddress()
	}
	eth.Encode(&header.EthernetFields{
		SrcAddr: src,
		DstAddr: pkt.EgressRoute.RemoteLinkAddress,
		Type:    pkt.NetworkProtocolNumber,
	})
}

// ParseHeader implements stack.LinkEndpoint: it consumes the Ethernet
// header of a packet written with its link header in the payload.
func (e *Endpoint) ParseHeader(pkt *stack.PacketBuffer) bool {
	_, ok := pkt.LinkHeader().Consume(header.EthernetMinimumSize)
	return ok
}
