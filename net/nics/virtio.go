package nics

import (
	"sync"
	"sync/atomic"

	vnet "warren.dev/drivers/virtio/net"
	"warren.dev/net/link"
)

// Virtio is a virtio-net device as a link.NIC. The driver takes its
// receive callback at Open, so OpenVirtio installs one that forwards to
// whatever the link layer sets later.
type Virtio struct {
	dev  *vnet.Device
	recv atomic.Pointer[func(link.Frame)]

	mu  sync.Mutex   // serializes Transmit's use of out
	out []vnet.Frame // reused conversion buffer
}

var _ link.NIC = (*Virtio)(nil)

// OpenVirtio opens the device described by cfg (Receive is set here).
func OpenVirtio(cfg vnet.Config) (*Virtio, error) {
	n := &Virtio{}
	cfg.Receive = n.deliver
	dev, err := vnet.Open(cfg)
	if err != nil {
		return nil, err
	}
	n.dev = dev
	return n, nil
}

func (n *Virtio) deliver(frames []vnet.Frame) {
	fn := n.recv.Load()
	if fn == nil {
		return
	}
	for i, f := range frames {
		(*fn)(link.Frame{
			Data:      f.Data,
			CsumValid: f.DataValid || f.NeedsCsum, // NeedsCsum on receive: the data is intact
			GSOType:   gsoType(f.GSO),
			GSOSize:   f.GSOSize,
			More:      i < len(frames)-1,
		})
	}
}

func (n *Virtio) MAC() [6]byte { return n.dev.MAC() }
func (n *Virtio) MTU() int     { return n.dev.MTU() }
func (n *Virtio) LinkUp() bool { return n.dev.LinkUp() }
func (n *Virtio) Close() error { return n.dev.Close() }

// Device returns the driver, for its statistics.
func (n *Virtio) Device() *vnet.Device { return n.dev }

// WaitTXSpace implements link.TXWaiter.
func (n *Virtio) WaitTXSpace() error { return n.dev.WaitTXSpace() }

// Features implements link.NIC.
func (n *Virtio) Features() link.Features {
	o := n.dev.Offloads()
	var f link.Features
	if o.TXChecksum {
		f |= link.FeatureTXCsum
	}
	if o.RXChecksum {
		f |= link.FeatureRXCsum
	}
	if o.TSO4 {
		f |= link.FeatureTSO4
	}
	if o.TSO6 {
		f |= link.FeatureTSO6
	}
	if o.RXTSO4 || o.RXTSO6 {
		f |= link.FeatureRXGSO
	}
	return f
}

// gsoType is the link's type for a received frame's; one the link does
// not know (UDP, say) is GSONone, so the frame is held to the MTU.
func gsoType(t vnet.GSOType) link.GSOType {
	switch t {
	case vnet.GSOTCPv4:
		return link.GSOTCPv4
	case vnet.GSOTCPv6:
		return link.GSOTCPv6
	}
	return link.GSONone
}

// Transmit implements link.NIC.
func (n *Virtio) Transmit(frames []link.Frame) (int, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.out = n.out[:0]
	for _, f := range frames {
		o := vnet.Offload{NeedsCsum: f.NeedsCsum, CsumStart: f.CsumStart, CsumOffset: f.CsumOffset, GSOSize: f.GSOSize, HdrLen: f.HdrLen}
		switch f.GSOType {
		case link.GSOTCPv4:
			o.GSO = vnet.GSOTCPv4
		case link.GSOTCPv6:
			o.GSO = vnet.GSOTCPv6
		}
		n.out = append(n.out, vnet.Frame{Data: f.Data, Offload: o})
	}
	return n.dev.Transmit(n.out)
}

// SetReceiver implements link.NIC.
func (n *Virtio) SetReceiver(fn func(link.Frame)) {
	if fn == nil {
		n.recv.Store(nil)
		return
	}
	n.recv.Store(&fn)
}
