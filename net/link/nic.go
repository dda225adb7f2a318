// Package link connects NIC drivers to gVisor's netstack. A driver
// implements the small NIC interface below, which knows nothing of
// netstack; Endpoint adapts any NIC to stack.LinkEndpoint, adding and
// parsing Ethernet headers, mapping checksum and segmentation offloads, and
// counting what crosses the link.
package link

import "warren.dev/drivers/ether"

// TXWaiter is implemented by NICs that can block until their transmit
// ring has room again, after Transmit accepted fewer frames than given.
// next is the first frame Transmit did not take: a NIC with several
// transmit rings waits for the one next goes to.
// The stack answers some frames from the receiver (ARP and ICMP replies,
// TCP resets), so WaitTXSpace is also called on the NIC's receive
// goroutine: what ends the wait must need neither that goroutine nor a
// device that resumes sending only when told to.
type TXWaiter interface {
	WaitTXSpace(next *ether.Frame) error
}

// NIC is what a network driver provides to the stack. Its methods may be
// called from any goroutine.
type NIC interface {
	// MAC is the station address.
	MAC() [6]byte
	// MTU is the largest IP packet (Ethernet payload) the NIC carries,
	// 1500 on standard Ethernet.
	MTU() int
	// LinkUp reports the physical link state.
	LinkUp() bool
	// Features lists the offloads the device performs; it does not change
	// after the NIC is handed to the stack.
	Features() ether.Features
	// Transmit queues frames for sending and returns how many, from the
	// front, the device accepted; the rest are dropped (a full ring). It
	// must be done with every Data slice before it returns.
	Transmit(frames []ether.Frame) (int, error)
	// SetReceiver installs the function the driver calls for each received
	// frame, from its receive goroutine (one per receive queue, which may
	// run at once), one frame at a time per goroutine.
	SetReceiver(func(ether.Frame))
	// Close stops the device. After Close returns the receiver is not
	// running and is never called again.
	Close() error
}
