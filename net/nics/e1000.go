// Package nics adapts Warren's NIC drivers to the link layer's NIC
// interface. The drivers' frame types carry the same fields as
// link.Frame, so an adapter only converts slices of them.
package nics

import (
	"errors"
	"sync"
	"time"

	"warren.dev/drivers/e1000"
	"warren.dev/net/link"
)

// E1000 is an Intel 8254x as a link.NIC.
type E1000 struct {
	dev *e1000.Device

	mu  sync.Mutex    // serializes Transmit's use of out
	out []e1000.Frame // reused conversion buffer
}

var _ link.NIC = (*E1000)(nil)

// NewE1000 wraps an open device.
func NewE1000(d *e1000.Device) *E1000 { return &E1000{dev: d} }

func (n *E1000) MAC() [6]byte { return n.dev.MAC() }
func (n *E1000) MTU() int     { return n.dev.MTU() }
func (n *E1000) LinkUp() bool { return n.dev.LinkUp() }

// Features implements link.NIC: each offload of the device's, named as the
// link names it (the two types number their bits on their own).
func (n *E1000) Features() link.Features {
	var f link.Features
	for _, m := range [...]struct {
		dev  e1000.Features
		link link.Features
	}{
		{e1000.FeatureTXCsum, link.FeatureTXCsum},
		{e1000.FeatureRXCsum, link.FeatureRXCsum},
		{e1000.FeatureTSO4, link.FeatureTSO4},
		{e1000.FeatureTSO6, link.FeatureTSO6},
	} {
		if n.dev.Features()&m.dev != 0 {
			f |= m.link
		}
	}
	return f
}
func (n *E1000) Close() error { return n.dev.Close() }

// Device returns the driver, for its statistics.
func (n *E1000) Device() *e1000.Device { return n.dev }

// WaitTXSpace implements link.TXWaiter. A device that sends nothing for
// txWait (its link down) costs the link layer one wait, not a hang: it
// tries Transmit again, and drops after a bounded number of waits.
func (n *E1000) WaitTXSpace() error {
	if err := n.dev.WaitTXSpace(txWait); errors.Is(err, e1000.ErrClosed) {
		return err
	}
	return nil
}

const txWait = 100 * time.Millisecond

// Transmit implements link.NIC.
func (n *E1000) Transmit(frames []link.Frame) (int, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.out = n.out[:0]
	for _, f := range frames {
		n.out = append(n.out, e1000.Frame{
			Data:      f.Data,
			NeedsCsum: f.NeedsCsum, CsumStart: f.CsumStart, CsumOffset: f.CsumOffset,
			GSOType: e1000.GSOType(f.GSOType), GSOSize: f.GSOSize, HdrLen: f.HdrLen,
		})
	}
	return n.dev.Transmit(n.out)
}

// SetReceiver implements link.NIC.
func (n *E1000) SetReceiver(fn func(link.Frame)) {
	if fn == nil {
		n.dev.SetReceiver(nil)
		return
	}
	n.dev.SetReceiver(func(f e1000.Frame) {
		fn(link.Frame{Data: f.Data, CsumValid: f.CsumValid, More: f.More})
	})
}
