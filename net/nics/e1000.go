// Package nics adapts Warren's NIC drivers to the link layer's NIC
// interface. Drivers and the link layer share one frame type
// (warren.dev/drivers/ether), so the adapters pass frames through and
// differ only where a driver's methods do (waiting for transmit room,
// virtio-net's batched receive callback).
package nics

import (
	"errors"
	"time"

	"warren.dev/drivers/e1000"
	"warren.dev/drivers/ether"
	"warren.dev/net/link"
)

// E1000 is an Intel 8254x as a link.NIC.
type E1000 struct {
	dev *e1000.Device
}

var _ link.NIC = (*E1000)(nil)

// NewE1000 wraps an open device.
func NewE1000(d *e1000.Device) *E1000 { return &E1000{dev: d} }

func (n *E1000) MAC() [6]byte             { return n.dev.MAC() }
func (n *E1000) MTU() int                 { return n.dev.MTU() }
func (n *E1000) LinkUp() bool             { return n.dev.LinkUp() }
func (n *E1000) Features() ether.Features { return n.dev.Features() }
func (n *E1000) Close() error             { return n.dev.Close() }

// Device returns the driver, for its statistics.
func (n *E1000) Device() *e1000.Device { return n.dev }

// WaitTXSpace implements link.TXWaiter. A device that sends nothing for
// txWait (its link down) costs the link layer one wait, not a hang: it
// tries Transmit again, and drops after a bounded number of waits. It
// has one ring, whatever the frame.
func (n *E1000) WaitTXSpace(*ether.Frame) error {
	if err := n.dev.WaitTXSpace(txWait); errors.Is(err, e1000.ErrClosed) {
		return err
	}
	return nil
}

const txWait = 100 * time.Millisecond

// Transmit implements link.NIC.
func (n *E1000) Transmit(frames []ether.Frame) (int, error) { return n.dev.Transmit(frames) }

// SetReceiver implements link.NIC.
func (n *E1000) SetReceiver(fn func(ether.Frame)) { n.dev.SetReceiver(fn) }
