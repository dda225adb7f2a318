package net

import "sync/atomic"

// Stats are a device's counters.
type Stats struct {
	RX, TX Counters
	// TXWaitKicks counts transmit notifications sent whatever the
	// device's suppression said, one each time a sender waits for room;
	// TXStallKicks those sent because the device had held buffers for
	// the stall timeout without using any (txwatch.go). Stall kicks mean
	// the device stopped serving its queue and waited for a notification
	// it was not owed.
	TXWaitKicks, TXStallKicks uint64
	// TXNotifications counts the doorbells rung for transmitted frames
	// because the device's event index asked for them: under TCG each is
	// an exit to QEMU, the dearest part of sending a frame.
	TXNotifications uint64
}

// Counters are one direction's counters. Packets and Bytes count frames
// delivered to the receive callback or handed to the device. Dropped
// counts frames the driver discarded: short, oversized, or with metadata
// the device cannot honour. Errors counts device mistakes (a used buffer
// longer than its descriptor, a bad merged-buffer count).
type Counters struct {
	Packets, Bytes, Errors, Dropped uint64
}

type counters struct {
	packets, bytes, errors, dropped atomic.Uint64
}

func (c *counters) load() Counters {
	return Counters{c.packets.Load(), c.bytes.Load(), c.errors.Load(), c.dropped.Load()}
}
