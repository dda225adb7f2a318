package nics

import (
	"sync/atomic"

	"warren.dev/drivers/ether"
	vnet "warren.dev/drivers/virtio/net"
	"warren.dev/net/link"
)

// Virtio is a virtio-net device as a link.NIC. The driver takes its
// receive callback, which gets batches of frames, at Open, so OpenVirtio
// installs one that hands each frame to whatever the link layer sets
// later.
type Virtio struct {
	dev  *vnet.Device
	recv atomic.Pointer[func(ether.Frame)]
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

func (n *Virtio) deliver(frames []ether.Frame) {
	fn := n.recv.Load()
	if fn == nil {
		return
	}
	for _, f := range frames {
		(*fn)(f)
	}
}

func (n *Virtio) MAC() [6]byte             { return n.dev.MAC() }
func (n *Virtio) MTU() int                 { return n.dev.MTU() }
func (n *Virtio) LinkUp() bool             { return n.dev.LinkUp() }
func (n *Virtio) Features() ether.Features { return n.dev.Offloads().Features() }
func (n *Virtio) Close() error             { return n.dev.Close() }

// Device returns the driver, for its statistics.
func (n *Virtio) Device() *vnet.Device { return n.dev }

// WaitTXSpace implements link.TXWaiter.
func (n *Virtio) WaitTXSpace(next *ether.Frame) error { return n.dev.WaitTXSpace(next) }

// Transmit implements link.NIC.
func (n *Virtio) Transmit(frames []ether.Frame) (int, error) { return n.dev.Transmit(frames) }

// SetReceiver implements link.NIC.
func (n *Virtio) SetReceiver(fn func(ether.Frame)) {
	if fn == nil {
		n.recv.Store(nil)
		return
	}
	n.recv.Store(&fn)
}
