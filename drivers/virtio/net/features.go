package net

import (
	"warren.dev/drivers/ether"
	"warren.dev/drivers/virtio"
)

// virtio-net feature bits (§5.1.3).
const (
	FCsum        virtio.Features = 1 << 0  // device completes partial checksums
	FGuestCsum   virtio.Features = 1 << 1  // driver takes partially checksummed frames
	FMTU         virtio.Features = 1 << 3  // device reports a maximum MTU
	FMAC         virtio.Features = 1 << 5  // device has a MAC address
	FGuestTSO4   virtio.Features = 1 << 7  // driver takes TSOv4 frames
	FGuestTSO6   virtio.Features = 1 << 8  // driver takes TSOv6 frames
	FGuestECN    virtio.Features = 1 << 9  // driver takes TSO frames with ECN
	FGuestUFO    virtio.Features = 1 << 10 // not used
	FHostTSO4    virtio.Features = 1 << 11 // device segments TSOv4
	FHostTSO6    virtio.Features = 1 << 12 // device segments TSOv6
	FHostECN     virtio.Features = 1 << 13 // device segments TSO with ECN
	FHostUFO     virtio.Features = 1 << 14 // not used
	FMrgRxbuf    virtio.Features = 1 << 15 // frames span several receive buffers
	FStatus      virtio.Features = 1 << 16 // link status in the configuration
	FCtrlVQ      virtio.Features = 1 << 17 // control queue: only for MQ
	FMQ          virtio.Features = 1 << 22 // several queue pairs
	FGuestHdrLen virtio.Features = 1 << 59 // not used: hdr_len is a hint only
	FSpeedDuplex virtio.Features = 1 << 63 // not used
	allSupported                 = FCsum | FGuestCsum | FMTU | FMAC | FGuestTSO4 | FGuestTSO6 | FGuestECN | FHostTSO4 | FHostTSO6 | FHostECN | FMrgRxbuf | FStatus | FCtrlVQ | FMQ
	guestTSO                     = FGuestTSO4 | FGuestTSO6
	hostTSO                      = FHostTSO4 | FHostTSO6
)

// acceptFeatures chooses the features to negotiate from those offered,
// minus disable, and enforces the dependencies of §5.1.3.1 (a driver
// MUST NOT accept a feature whose requirement it did not accept).
//
// Receive segmentation offload is only taken together with mergeable
// receive buffers: without MRG_RXBUF every receive buffer would have to
// hold 65562 bytes (§5.1.6.3.1). The control queue serves only to set
// the number of pairs, so it and MQ are taken together, and only when
// the driver wants several pairs (mq).
func acceptFeatures(offered, disable virtio.Features, mq bool) virtio.Features {
	f := offered &^ disable & (allSupported | virtio.TransportFeatures)
	if !mq || !f.Has(FMQ) || !f.Has(FCtrlVQ) {
		f &^= FMQ | FCtrlVQ
	}
	if !f.Has(FGuestCsum) || !f.Has(FMrgRxbuf) {
		f &^= guestTSO
	}
	if f&guestTSO == 0 {
		f &^= FGuestECN
	}
	if !f.Has(FCsum) {
		f &^= hostTSO
	}
	if f&hostTSO == 0 {
		f &^= FHostECN
	}
	return f
}

// Offloads are the negotiated offloads, for the stack adapter.
type Offloads struct {
	// TXChecksum: the device completes checksums of transmitted frames
	// marked NeedsCsum. Without it the driver computes them in software.
	TXChecksum bool
	// TSO4, TSO6: the device segments transmitted TCP frames marked with
	// GSO type TCPv4/TCPv6; TSOECN: such frames may have ECN set.
	TSO4, TSO6, TSOECN bool
	// RXChecksum: received frames may come with CsumValid (the checksum
	// verified, or, with NeedsCsum, not computed but the data intact).
	RXChecksum bool
	// RXTSO4, RXTSO6: received frames may be coalesced TCP frames of up
	// to 64 KiB with a GSO type and size.
	RXTSO4, RXTSO6 bool
	// MergeableRX: received frames may span several buffers.
	MergeableRX bool
}

func offloadsOf(f virtio.Features) Offloads {
	return Offloads{
		TXChecksum:  f.Has(FCsum),
		TSO4:        f.Has(FHostTSO4),
		TSO6:        f.Has(FHostTSO6),
		TSOECN:      f.Has(FHostECN),
		RXChecksum:  f.Has(FGuestCsum),
		RXTSO4:      f.Has(FGuestTSO4),
		RXTSO6:      f.Has(FGuestTSO6),
		MergeableRX: f.Has(FMrgRxbuf),
	}
}

// Features names the offloads as the link layer does.
func (o Offloads) Features() ether.Features {
	var f ether.Features
	for _, m := range [...]struct {
		on   bool
		feat ether.Features
	}{
		{o.TXChecksum, ether.FeatureTXCsum},
		{o.RXChecksum, ether.FeatureRXCsum},
		{o.TSO4, ether.FeatureTSO4},
		{o.TSO6, ether.FeatureTSO6},
		{o.RXTSO4 || o.RXTSO6, ether.FeatureRXGSO},
	} {
		if m.on {
			f |= m.feat
		}
	}
	return f
}
