package net

import "sync/atomic"

// Stats are a device's counters, summed over its queues, with the
// packets of each queue beside them.
type Stats struct {
	RX, TX Counters
	// RXQueues and TXQueues count the packets of each receive and
	// transmit queue, pair by pair: with several pairs they show how
	// the device spread flows and the driver chose queues.
	RXQueues, TXQueues []uint64
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

// counters are one queue's, kept apart so that queues served on
// different CPUs do not share cache lines they write.
type counters struct {
	packets, bytes, errors, dropped atomic.Uint64
}

func (c *counters) addTo(s *Counters) {
	s.Packets += c.packets.Load()
	s.Bytes += c.bytes.Load()
	s.Errors += c.errors.Load()
	s.Dropped += c.dropped.Load()
}

// txKicks are a transmit queue's notification counters.
type txKicks struct {
	wait, stall, notifications atomic.Uint64
}

// Stats returns the counters.
func (d *Device) Stats() Stats {
	var s Stats
	for i := range d.rx {
		r := &d.rx[i]
		r.stats.addTo(&s.RX)
		s.RXQueues = append(s.RXQueues, r.stats.packets.Load())
	}
	for i := range d.tx {
		t := &d.tx[i]
		t.stats.addTo(&s.TX)
		s.TXQueues = append(s.TXQueues, t.stats.packets.Load())
		s.TXWaitKicks += t.kicks.wait.Load()
		s.TXStallKicks += t.kicks.stall.Load()
		s.TXNotifications += t.kicks.notifications.Load()
	}
	return s
}
