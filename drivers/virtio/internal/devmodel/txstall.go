package devmodel

// txStall imitates a transmit path that ends a flush early and relies on
// itself to resume, as QEMU 7.2's virtio-net does when a flush started by
// an asynchronous send's completion reaches its burst limit: it leaves
// avail_event at its consumed index (QEMU stores it on every pop) and
// schedules nothing. A driver that had already published past that index
// owes no notification by the event-index rule, so the device idles with
// buffers in its ring until a notification comes anyway. Guarded by
// Device.mu.
type txStall struct {
	left    int  // buffers to send before stopping; 0: no stop planned
	stopped bool // stopped, waiting for a notification
	at      int  // transmit notifications counted when it stopped
	ignore  int  // notifications after the stop that are lost
}

// StallTX makes the device stop transmitting after after (at least 1)
// more buffers, as txStall describes. It resumes on a notification of
// the transmit queue, the first ignore of which it loses, like kicks
// that reach QEMU while its send is still in flight.
func (n *Net) StallTX(after, ignore int) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.stall = txStall{left: max(after, 1), ignore: ignore}
}

// TXStalled reports whether the transmit queue is stopped by StallTX and
// has not been notified enough to resume.
func (n *Net) TXStalled() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.stall.stopped && !n.stall.woken(n.Device)
}

func (s *txStall) woken(d *Device) bool { return d.notifies[1]-s.at > s.ignore }

// consumed counts a buffer sent; it reports whether the device stops
// here. A stopped device asks for a notification after what it consumed
// and, unlike idle, does not look whether the driver has published more.
func (s *txStall) consumed(d *Device, q *vq, ev bool) bool {
	if s.left == 0 {
		return false
	}
	s.left--
	if s.left > 0 {
		return false
	}
	q.askNotify(ev, q.lastAvail)
	s.stopped, s.at = true, d.notifies[1]
	return true
}

// txServed reports whether Process may serve the transmit queue: not
// while a stall waits for its notification.
func (n *Net) txServed(d *Device) bool {
	if n.stall.stopped && n.stall.woken(d) {
		n.stall.stopped = false
	}
	return !n.stall.stopped
}

// StepTX sends up to k transmit buffers at once, even while the device
// is paused, as a device in the middle of a flush would: notifications
// stay suppressed (avail_event is left behind, or NO_NOTIFY set) and it
// does not go idle. It returns how many it sent.
func (n *Net) StepTX(k int) int {
	n.mu.Lock()
	defer n.mu.Unlock()
	ev := n.Negotiated(FEventIdx)
	q := n.queue(1)
	q.busy(ev)
	sent := 0
	for sent < k && n.transmitOne(n.Device, q, 0) {
		sent++
	}
	if q.publish(ev) {
		n.signalQueue(q)
	}
	return sent
}
