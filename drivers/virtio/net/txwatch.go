package net

import "time"

// The transmit watchdog.
//
// With notifications suppressed the device serves the queue on its own
// and says, through avail_event, which publish it wants to hear about;
// the driver notifies only for that one. A device must therefore not
// stop short of what it was given without asking for a notification
// again, yet QEMU 7.2's virtio-net does: a flush that reaches its burst
// limit just after an asynchronous send completes neither goes on nor
// reschedules itself, and leaves avail_event at its consumed index,
// behind entries the driver has already published. No later publish
// crosses it, and the device idles with the ring full of frames until a
// notification it was not owed arrives.
//
// The driver does not depend on the device resuming by itself. A sender
// about to wait for room notifies it regardless (WaitTXSpace), and the
// watchdog notifies it when it has held buffers for the stall timeout
// without using any, whether or not anyone transmits again. A device
// that makes progress is never notified by either beyond what the event
// index asks, so the transmit path keeps its one doorbell per batch.

// stallTimeout is how long the device may hold transmit buffers without
// using any before the watchdog kicks it: far longer than a working
// device takes, far shorter than TCP's retransmission timeouts.
const stallTimeout = 10 * time.Millisecond

// txWatch is a transmit queue's watchdog state; its mu guards it.
type txWatch struct {
	timeout time.Duration
	timer   *time.Timer // runs txTick; armed while the device holds buffers
	armed   bool
	epoch   time.Time // time.Since(epoch) reads only the monotonic clock
	done    uint64    // completed at the last look
	silent  bool      // looks since since found no completion
	since   time.Duration
}

func (w *txWatch) init(timeout time.Duration, tick func()) {
	w.timeout, w.epoch = timeout, time.Now()
	// Created stopped, so that arming it never allocates.
	w.timer = time.AfterFunc(time.Hour, tick)
	w.timer.Stop()
}

// watchTX looks at the transmit queue after a reclaim, with t.mu held;
// notified says the device has just been notified. It kicks the device
// if two looks at least the timeout apart found it holding buffers and
// using none, and keeps the timer running while it holds any, so that
// a stall is caught even if nobody transmits again.
func (t *txQueue) watchTX(notified bool) {
	w := &t.watch
	if t.q.Outstanding() == 0 {
		w.silent = false
		return
	}
	switch now := time.Since(w.epoch); {
	case notified || t.completed != w.done:
		w.done, w.silent = t.completed, false
	case !w.silent:
		w.silent, w.since = true, now
	case now-w.since >= w.timeout:
		t.kicks.stall.Add(1) // before the device can act on the kick
		t.q.Kick()
		w.since = now
	}
	if !w.armed {
		w.armed = true
		w.timer.Reset(w.timeout)
	}
}

// tick is the watchdog's timer: it reclaims, which wakes waiters if the
// device used buffers, and looks again.
func (t *txQueue) tick() {
	d := t.d
	t.mu.Lock()
	defer t.mu.Unlock()
	t.watch.armed = false
	if d.closed.Load() || d.Err() != nil {
		return
	}
	t.reclaim()
	t.watchTX(false)
}
