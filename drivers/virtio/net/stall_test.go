package net

import (
	"errors"
	"testing"
	"time"

	"warren.dev/drivers/ether"
	"warren.dev/drivers/virtio"
	"warren.dev/drivers/virtio/internal/devmodel"
)

// numbered makes n 60-byte frames with distinct payloads.
func numbered(n int) (frames []ether.Frame, want [][]byte) {
	for i := range n {
		b := frame(60, i)
		want = append(want, b)
		frames = append(frames, one(b))
	}
	return frames, want
}

// waitTXSpace runs WaitTXSpace and fails the test if it has not returned
// within a guard time far beyond any recovery the driver makes.
func (e *env) waitTXSpace() {
	e.t.Helper()
	done := make(chan error, 1)
	go func() { done <- e.d.WaitTXSpace(nil) }()
	select {
	case err := <-done:
		if err != nil {
			e.t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		e.t.Fatalf("WaitTXSpace still waiting: %s", e.dump())
	}
}

// stallRingFull brings the transmit queue into the state of issue 11:
// the device stopped mid-flush at consumed (its avail_event there too)
// while the driver has published a full ring past it, so the event
// index owes no notification. It returns the frames not yet sent.
func stallRingFull(t *testing.T, e *env, frames []ether.Frame, size, consumed, lostKicks int) []ether.Frame {
	t.Helper()
	// Traffic up to half a ring before the stop, all completed.
	warm := consumed - size/2
	e.sendAll(frames[:warm])
	if _, err := e.m.WaitSent(warm, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	// A full ring for the device, which takes half of it and stops.
	e.m.Pause()
	if n, err := e.d.Transmit(frames[warm : warm+size]); n != size || err != nil {
		t.Fatalf("Transmit into an empty ring = %d, %v", n, err)
	}
	e.m.StallTX(size/2, lostKicks)
	e.m.Resume()
	if _, err := e.m.WaitSent(consumed, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	// The driver refills the half the device completed; the publish
	// does not reach avail_event, so it does not notify.
	notifies := e.m.Notifies(txQueueIndex(0))
	rest := frames[warm+size:]
	n, err := e.d.Transmit(rest)
	if n != size/2 || !errors.Is(err, ErrQueueFull) {
		t.Fatalf("Transmit after the stop = %d, %v; want %d, ErrQueueFull", n, err, size/2)
	}
	if got := e.m.Notifies(txQueueIndex(0)); got != notifies {
		t.Fatalf("%d notifications owed by the event index: not the stalled state", got-notifies)
	}
	if !e.m.TXStalled() {
		t.Fatal("the device is not stopped")
	}
	return rest[n:]
}

// TestTXStallRingFull reproduces the exact index state of issue 11 (QEMU
// 7.2 under a SYN flood): transmit avail idx 6460, the device stopped at
// 6204 with avail_event 6204, the 256-entry ring full and the device
// idle. A sender waiting for room must get the device going again. The
// watchdog is kept out of it (an hour's timeout): the wait itself must.
func TestTXStallRingFull(t *testing.T) {
	const size, consumed = 256, 6204
	e := openEnv(t, opts{net: devmodel.NetOptions{QueueSize: size}, stall: time.Hour})
	frames, want := numbered(consumed + size + 100)
	rest := stallRingFull(t, e, frames, size, consumed, 0)
	if s, w := e.m.QueueState(txQueueIndex(0)), (devmodel.QueueState{AvailIdx: 6460, Consumed: 6204, UsedIdx: 6204, AvailEvent: 6204}); s != w {
		t.Fatalf("device state %+v, want %+v", s, w)
	}

	e.waitTXSpace()
	e.sendAll(rest)
	got, err := e.m.WaitSent(len(want), 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	checkSent(t, got, want)
	if s := e.d.Stats(); s.TXWaitKicks == 0 || s.TXStallKicks != 0 {
		t.Errorf("stats %+v: want wait kicks and no watchdog kicks", s)
	}
}

// TestTXStallLostKick: the device also loses the notification the
// waiting sender sends (as QEMU does while a send is in flight). The
// watchdog's later kick must recover it.
func TestTXStallLostKick(t *testing.T) {
	const size = 16
	e := openEnv(t, opts{net: devmodel.NetOptions{QueueSize: size}})
	frames, want := numbered(3 * size)
	rest := stallRingFull(t, e, frames, size, size, 1)

	e.waitTXSpace()
	e.sendAll(rest)
	got, err := e.m.WaitSent(len(want), 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	checkSent(t, got, want)
	if s := e.d.Stats(); s.TXWaitKicks == 0 || s.TXStallKicks == 0 {
		t.Errorf("stats %+v: want a wait kick and a watchdog kick", s)
	}
}

// TestTXStallNotFull: the device stops with frames in a ring that is not
// full, and nobody transmits again. The watchdog must notice the device
// holding buffers without using any, and kick it.
func TestTXStallNotFull(t *testing.T) {
	e := openEnv(t, opts{net: devmodel.NetOptions{QueueSize: 16}})
	frames, want := numbered(13)
	e.m.Pause()
	if n, err := e.d.Transmit(frames[:10]); n != 10 || err != nil {
		t.Fatal(n, err)
	}
	e.m.StallTX(5, 0)
	e.m.Resume()
	if _, err := e.m.WaitSent(5, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if n, err := e.d.Transmit(frames[10:]); n != 3 || err != nil {
		t.Fatal(n, err)
	}
	got, err := e.m.WaitSent(len(want), 10*time.Second)
	if err != nil {
		t.Fatalf("%v: %s", err, e.dump())
	}
	checkSent(t, got, want)
	if s := e.d.Stats(); s.TXStallKicks == 0 {
		t.Errorf("stats %+v: no watchdog kick", s)
	}
}

// TestTXNoKicksWhileProgressing: a device in the middle of a flush, using
// buffers while the driver publishes more, needs no notification, and
// the driver sends none, however often it publishes between two of the
// device's completions. (The watchdog's timeout is kept out of reach:
// only a device silent for that long may be kicked.)
func TestTXNoKicksWhileProgressing(t *testing.T) {
	for _, mode := range []struct {
		name string
		o    opts
	}{{"event-idx", opts{}}, {"no-event-idx", opts{disable: virtio.FEventIdx}}} {
		t.Run(mode.name, func(t *testing.T) {
			o := mode.o
			o.net.QueueSize = 64
			o.stall = time.Hour
			e := openEnv(t, o)
			const total = 2000
			frames, want := numbered(total)
			e.m.Pause()
			if n, err := e.d.Transmit(frames[:8]); n != 8 || err != nil {
				t.Fatal(n, err)
			}
			e.m.StepTX(1) // the device is busy from here on
			for i := 8; i < total; i += 2 {
				for _, f := range frames[i : i+2] {
					if n, err := e.d.Transmit([]ether.Frame{f}); n != 1 || err != nil {
						t.Fatalf("frame %d: %d, %v", i, n, err)
					}
				}
				if k := e.m.StepTX(2); k != 2 {
					t.Fatalf("device sent %d of 2", k)
				}
			}
			if n := e.m.Notifies(txQueueIndex(0)); n != 1 {
				t.Errorf("%d notifications for %d publishes with the device progressing; want 1", n, total-7)
			}
			e.m.Resume()
			got, err := e.m.WaitSent(total, 10*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			checkSent(t, got, want)
			if s := e.d.Stats(); s.TXWaitKicks != 0 || s.TXStallKicks != 0 {
				t.Errorf("stats %+v: kicks", s)
			}
		})
	}
}

// TestReceiveWaitsForTXSpace: the receive callback answers each frame and
// waits for transmit room when the ring is full, as the network stack
// does (ARP and ICMP replies, TCP resets). In every interrupt layout,
// including those where receive and transmit share a vector, the
// transmit interrupt must end the wait (the watchdog, which would end it
// later by polling the ring, is kept out of reach).
func TestReceiveWaitsForTXSpace(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			o := mode.o
			o.net.QueueSize = 8
			o.net.HoldTX = true
			o.stall = time.Hour
			replied := make(chan error, 1)
			var e *env
			o.receive = func(frames []ether.Frame) {
				replied <- transmitAll(e.d, []ether.Frame{one(frame(60, 99))})
			}
			e = openEnv(t, o)
			frames, want := numbered(8)
			if n, err := e.d.Transmit(frames); n != 8 || err != nil {
				t.Fatal(n, err)
			}
			eventually(t, "8 held", func() bool { return e.m.Held() == 8 })
			e.m.Inject(devmodel.Packet{Data: frame(60, 1)})
			eventually(t, "the receive callback to wait for room", func() bool {
				e.d.tx[0].mu.Lock()
				defer e.d.tx[0].mu.Unlock()
				return e.d.tx[0].waiters > 0
			})
			e.m.SetHoldTX(false)
			e.m.CompleteTX(-1)
			select {
			case err := <-replied:
				if err != nil {
					t.Fatal(err)
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("the receive callback is still waiting for room: %s", e.dump())
			}
			got, err := e.m.WaitSent(9, 10*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			checkSent(t, got, append(want, frame(60, 99)))
		})
	}
}
