package virtio

import "warren.dev/drivers/internal/dmaword"

// Used buffer notification suppression (§2.7.7). A driver polling the
// used ring disables interrupts, harvests, and re-enables them with
// EnableInterrupts, which re-checks the ring: buffers the device used
// before it saw the request would otherwise raise no interrupt, and the
// driver would sleep with work pending.

// DisableInterrupts asks the device not to interrupt for used buffers.
// It is advisory: the device may still interrupt, and with
// VIRTIO_F_EVENT_IDX it will once more if it reaches the last requested
// event index; spurious interrupts are harmless (§2.7.7.1).
func (q *SplitQueue) DisableInterrupts() {
	if q.intr == intrOff {
		return
	}
	q.intr = intrOff
	if !q.eventIdx {
		// With EVENT_IDX the device ignores this bit (§2.7.7.2), and
		// the driver MUST leave flags 0 (§2.7.7.1).
		q.availFlags |= availFNoInterrupt
		// A hint, so no ordering is needed; the atomic store keeps the
		// 32-bit word it shares with idx consistent (dmaword).
		dmaword.Store16(q.avail, ringFlags, q.availFlags)
	}
}

// EnableInterrupts asks for an interrupt when the device uses another
// buffer, and reports whether there are already used buffers to harvest.
// If it returns true, the caller must poll again rather than wait: the
// device may have used them before it saw the request.
func (q *SplitQueue) EnableInterrupts() (pending bool) {
	return q.EnableInterruptsAfter(1)
}

// EnableInterruptsAfter asks for an interrupt once n (at least 1) more
// buffers than have been harvested are used, and reports whether that
// many already are. With VIRTIO_F_EVENT_IDX the device holds back its
// interrupt until then (like Linux's virtqueue_enable_cb_delayed, for
// batching transmit completions); without it, any used buffer
// interrupts.
func (q *SplitQueue) EnableInterruptsAfter(n int) (ready bool) {
	if n < 1 {
		n = 1
	}
	if q.eventIdx {
		// The device interrupts when it writes the used entry with index
		// used_event, i.e. when used idx moves past it (§2.7.7.2).
		q.intr = intrOn
		if n > 1 {
			q.intr = intrDelayed
		}
		dmaword.Store16(q.avail, q.usedEventOff, q.lastUsed+uint16(n-1))
	} else {
		q.intr = intrOn
		q.availFlags &^= availFNoInterrupt
		dmaword.Store16(q.avail, ringFlags, q.availFlags)
	}
	// The store above is atomic and sequentially consistent (XCHG on
	// x86-64, a full fence), so the used index load below happens after
	// the request is visible. The device orders its used idx store before
	// its used_event/flags load the same way, so either it sees our
	// request and interrupts, or we see its new used idx here.
	return q.Pending() >= n
}
