package link

import "sync/atomic"

// counters are updated on the packet paths without locks.
type counters struct {
	rxPackets, rxBytes, rxDropped, rxMalformed atomic.Uint64
	rxBadChecksum, rxCoalesced                 atomic.Uint64
	txPackets, txBytes, txErrors, txDropped    atomic.Uint64
	txSegmented                                atomic.Uint64
}

// Counters is a snapshot of one link's traffic.
type Counters struct {
	RxPackets uint64 // frames handed to the stack
	RxBytes   uint64 // their bytes, Ethernet header included
	// RxDropped counts well-formed frames not delivered: the endpoint was
	// detached, or the frame was addressed to another station.
	RxDropped uint64
	// RxMalformed counts frames too short for an Ethernet header or
	// longer than the MTU allows.
	RxMalformed uint64
	// RxBadChecksum counts frames the device did not check whose IPv4,
	// TCP or UDP checksum is wrong (rxcsum.go).
	RxBadChecksum uint64
	// RxCoalesced counts frames the device coalesced (FeatureRXGSO), each
	// taken by the stack as one TCP segment.
	RxCoalesced uint64

	TxPackets uint64 // frames the device accepted
	TxBytes   uint64
	TxErrors  uint64 // Transmit calls that returned an error
	TxDropped uint64 // frames the device refused (full ring, link down)
	// TxSegmented counts large TCP segments cut in software because the
	// device has no TSO.
	TxSegmented uint64
}

// Counters returns the link's traffic counters.
func (e *Endpoint) Counters() Counters {
	c := &e.counters
	return Counters{
		RxPackets:     c.rxPackets.Load(),
		RxBytes:       c.rxBytes.Load(),
		RxDropped:     c.rxDropped.Load(),
		RxMalformed:   c.rxMalformed.Load(),
		RxBadChecksum: c.rxBadChecksum.Load(),
		RxCoalesced:   c.rxCoalesced.Load(),
		TxPackets:     c.txPackets.Load(),
		TxBytes:       c.txBytes.Load(),
		TxErrors:      c.txErrors.Load(),
		TxDropped:     c.txDropped.Load(),
		TxSegmented:   c.txSegmented.Load(),
	}
}
