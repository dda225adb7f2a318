package virtio

import (
	"encoding/binary"
	"errors"
	"testing"

	"warren.dev/drivers/hw/hwtest"
	"warren.dev/drivers/internal/dmaword"
)

type bell struct{ n int }

func (b *bell) Ring() { b.n++ }

func newQueue(t *testing.T, size int, eventIdx bool) (*SplitQueue, *bell, *hwtest.DMA) {
	t.Helper()
	dma := hwtest.NewDMA(0x100000, 1<<20)
	q, err := NewSplitQueue(dma, size, eventIdx)
	if err != nil {
		t.Fatal(err)
	}
	b := &bell{}
	q.SetNotifier(b)
	return q, b, dma
}

// fakeDevice plays the device side directly on the queue's memory.
type fakeDevice struct {
	q         *SplitQueue
	lastAvail uint16
	usedIdx   uint16
}

func (d *fakeDevice) pop(t *testing.T) (head uint16, ok bool) {
	t.Helper()
	if dmaword.Load16(d.q.avail, ringIdx) == d.lastAvail {
		return 0, false
	}
	head = binary.LittleEndian.Uint16(d.q.avail[ringStart+2*int(d.lastAvail&d.q.mask):])
	d.lastAvail++
	return head, true
}

func (d *fakeDevice) use(head uint16, n uint32) {
	e := d.q.used[ringStart+usedElemSize*int(d.usedIdx&d.q.mask):]
	binary.LittleEndian.PutUint32(e, uint32(head))
	binary.LittleEndian.PutUint32(e[4:], n)
	d.usedIdx++
}

func (d *fakeDevice) publish() { dmaword.Store16(d.q.used, ringIdx, d.usedIdx) }

func (d *fakeDevice) desc(id uint16) (addr uint64, n uint32, flags, next uint16) {
	b := d.q.desc[descSize*int(id):]
	return binary.LittleEndian.Uint64(b), binary.LittleEndian.Uint32(b[8:]),
		binary.LittleEndian.Uint16(b[12:]), binary.LittleEndian.Uint16(b[14:])
}

func TestNewSplitQueueSizes(t *testing.T) {
	dma := hwtest.NewDMA(0, 1<<22)
	for _, n := range []int{0, 1, 3, 100, 65536} {
		if _, err := NewSplitQueue(dma, n, false); err == nil {
			t.Errorf("size %d accepted", n)
		}
	}
	for _, n := range []int{2, 256, 32768} {
		q, err := NewSplitQueue(dma, n, true)
		if err != nil {
			t.Fatalf("size %d: %v", n, err)
		}
		desc, drv, dev := q.Addresses()
		if desc%16 != 0 || drv != desc+uint64(16*n) || dev%64 != 0 || dev < drv+uint64(6+2*n) {
			t.Errorf("size %d: layout %#x %#x %#x", n, desc, drv, dev)
		}
		q.Free()
	}
}

func TestAddChainAndHarvest(t *testing.T) {
	q, b, _ := newQueue(t, 8, false)
	dev := &fakeDevice{q: q}
	head, err := q.Add([]Buffer{{Addr: 0x1000, Len: 12}, {Addr: 0x2000, Len: 100}, {Addr: 0x3000, Len: 50, Writable: true}})
	if err != nil {
		t.Fatal(err)
	}
	if q.NumFree() != 5 {
		t.Errorf("NumFree = %d, want 5", q.NumFree())
	}
	if dmaword.Load16(q.avail, ringIdx) != 0 {
		t.Fatal("index published before Publish")
	}
	if !q.Publish() || b.n != 1 {
		t.Fatalf("Publish did not notify (bell %d)", b.n)
	}
	h, ok := dev.pop(t)
	if !ok || h != head {
		t.Fatalf("device popped %d %v, want %d", h, ok, head)
	}
	want := []struct {
		addr  uint64
		n     uint32
		flags uint16
	}{{0x1000, 12, descFNext}, {0x2000, 100, descFNext}, {0x3000, 50, descFWrite}}
	id := h
	for i, w := range want {
		addr, n, flags, next := dev.desc(id)
		if addr != w.addr || n != w.n || flags != w.flags {
			t.Errorf("descriptor %d: %#x %d %#x, want %#x %d %#x", i, addr, n, flags, w.addr, w.n, w.flags)
		}
		id = next
	}
	if _, _, err := q.Used(); err != ErrEmpty {
		t.Fatalf("Used before the device used: %v", err)
	}
	dev.use(h, 42)
	dev.publish()
	gh, gl, err := q.Used()
	if err != nil || gh != head || gl != 42 {
		t.Fatalf("Used = %d %d %v", gh, gl, err)
	}
	if q.NumFree() != 8 || q.Outstanding() != 0 {
		t.Errorf("after harvest NumFree %d Outstanding %d", q.NumFree(), q.Outstanding())
	}
}

func TestFullQueueIsAnError(t *testing.T) {
	q, _, _ := newQueue(t, 4, true)
	dev := &fakeDevice{q: q}
	for i := range 4 {
		if _, err := q.Add([]Buffer{{Addr: uint64(i) * 0x1000, Len: 1}}); err != nil {
			t.Fatalf("add %d: %v", i, err)
		}
	}
	if _, err := q.Add([]Buffer{{Addr: 0x9000, Len: 1}}); !errors.Is(err, ErrQueueFull) {
		t.Fatalf("fifth add: %v, want ErrQueueFull", err)
	}
	ids := make([]uint16, 2)
	if err := q.Reserve(ids); !errors.Is(err, ErrQueueFull) {
		t.Fatalf("Reserve on a full queue: %v", err)
	}
	q.Publish()
	if dmaword.Load16(q.avail, ringIdx) != 4 {
		t.Fatal("failed adds changed the ring")
	}
	h, _ := dev.pop(t)
	dev.use(h, 0)
	dev.publish()
	if _, _, err := q.Used(); err != nil {
		t.Fatal(err)
	}
	if _, err := q.Add([]Buffer{{Addr: 0x9000, Len: 1}}); err != nil {
		t.Fatalf("add after a completion: %v", err)
	}
	// A chain longer than the free descriptors fails without side effects.
	if _, err := q.Add([]Buffer{{Len: 1}, {Len: 1}}); !errors.Is(err, ErrQueueFull) || q.NumFree() != 0 {
		t.Fatalf("chain on a full queue: %v, NumFree %d", err, q.NumFree())
	}
}

// TestWrap runs the 16-bit indexes around several times with chains of
// varying length.
func TestWrap(t *testing.T) {
	q, _, _ := newQueue(t, 4, true)
	dev := &fakeDevice{q: q}
	var seq uint32
	inflight := map[uint16]uint32{}
	for round := range 70000 {
		n := 1 + round%3
		bufs := make([]Buffer, n)
		for i := range bufs {
			bufs[i] = Buffer{Addr: uint64(seq), Len: seq}
		}
		for q.NumFree() < n {
			h, ok := dev.pop(t)
			if !ok {
				t.Fatal("device found nothing while the queue is full")
			}
			dev.use(h, inflight[h])
			dev.publish()
			gh, gl, err := q.Used()
			if err != nil || gh != h || gl != inflight[h] {
				t.Fatalf("round %d: Used = %d %d %v, want %d %d", round, gh, gl, err, h, inflight[h])
			}
			delete(inflight, h)
		}
		h, err := q.Add(bufs)
		if err != nil {
			t.Fatal(err)
		}
		inflight[h] = seq
		seq++
		q.Publish()
	}
	if seq <= 1<<16 {
		t.Fatalf("only %d buffers: the indexes did not wrap", seq)
	}
}

func TestEventIdxKickSuppression(t *testing.T) {
	q, b, _ := newQueue(t, 16, true)
	add := func(k int) {
		for range k {
			if _, err := q.Add([]Buffer{{Len: 1}}); err != nil {
				t.Fatal(err)
			}
		}
	}
	// avail_event starts at 0: the first batch crosses it.
	add(3)
	if !q.Publish() || b.n != 1 {
		t.Fatalf("first batch: bell %d", b.n)
	}
	// The device has not moved avail_event: no more notifications.
	add(2)
	if q.Publish() || b.n != 1 {
		t.Fatalf("second batch notified (bell %d)", b.n)
	}
	// The device asks to be told about entry 6 (idx reaching 7).
	dmaword.Store16(q.used, q.availEventOff, 6)
	add(1) // idx 5 -> 6: entry 5 written, not 6
	if q.Publish() {
		t.Fatal("notified before the event index was reached")
	}
	add(4) // 6 -> 10 crosses 6
	if !q.Publish() || b.n != 2 {
		t.Fatalf("crossing batch: bell %d", b.n)
	}
	if q.Publish() {
		t.Fatal("empty Publish notified")
	}
}

// TestKick: Kick rings the doorbell even when the device suppressed
// notifications, by event index or by flag.
func TestKick(t *testing.T) {
	for _, eventIdx := range []bool{true, false} {
		q, b, _ := newQueue(t, 8, eventIdx)
		dmaword.Store16(q.used, ringFlags, usedFNoNotify)
		q.Add([]Buffer{{Len: 1}})
		q.Publish()
		q.Add([]Buffer{{Len: 1}})
		if q.Publish() {
			t.Fatalf("eventIdx %v: second batch notified", eventIdx)
		}
		before := b.n
		q.Kick()
		if b.n != before+1 {
			t.Fatalf("eventIdx %v: Kick rang %d times", eventIdx, b.n-before)
		}
	}
}

func TestNoNotifyFlag(t *testing.T) {
	q, b, _ := newQueue(t, 8, false)
	dmaword.Store16(q.used, ringFlags, usedFNoNotify)
	q.Add([]Buffer{{Len: 1}})
	if q.Publish() || b.n != 0 {
		t.Fatal("notified despite VIRTQ_USED_F_NO_NOTIFY")
	}
	dmaword.Store16(q.used, ringFlags, 0)
	q.Add([]Buffer{{Len: 1}})
	if !q.Publish() || b.n != 1 {
		t.Fatal("no notification with flags 0")
	}
}

func TestBatchOneDoorbell(t *testing.T) {
	q, b, _ := newQueue(t, 64, false)
	for range 50 {
		q.Add([]Buffer{{Len: 1}})
	}
	q.Publish()
	if b.n != 1 || dmaword.Load16(q.avail, ringIdx) != 50 {
		t.Fatalf("bell %d idx %d", b.n, dmaword.Load16(q.avail, ringIdx))
	}
}

// TestInterruptRecheck is the lost-wakeup race: the device uses a buffer
// after the driver's last harvest but before the driver re-enables
// interrupts. The device saw interrupts disabled and did not interrupt,
// so EnableInterrupts must report the pending buffer.
func TestInterruptRecheck(t *testing.T) {
	for _, ev := range []bool{false, true} {
		q, _, _ := newQueue(t, 8, ev)
		dev := &fakeDevice{q: q}
		for range 4 {
			q.Add([]Buffer{{Len: 1}})
		}
		q.Publish()
		q.DisableInterrupts()
		if !ev && dmaword.Load16(q.avail, ringFlags)&availFNoInterrupt == 0 {
			t.Fatal("DisableInterrupts did not set NO_INTERRUPT")
		}
		if ev && dmaword.Load16(q.avail, ringFlags) != 0 {
			t.Fatal("flags set with EVENT_IDX (§2.7.7.1: MUST be 0)")
		}
		h, _ := dev.pop(t)
		dev.use(h, 0)
		dev.publish()
		if _, _, err := q.Used(); err != nil {
			t.Fatal(err)
		}
		// The race window: a used buffer lands now.
		h, _ = dev.pop(t)
		dev.use(h, 0)
		dev.publish()
		if !q.EnableInterrupts() {
			t.Fatalf("eventIdx=%v: EnableInterrupts missed a pending buffer", ev)
		}
		q.DisableInterrupts()
		if _, _, err := q.Used(); err != nil {
			t.Fatal(err)
		}
		if q.EnableInterrupts() {
			t.Fatalf("eventIdx=%v: EnableInterrupts reported work on an empty ring", ev)
		}
		if ev {
			if got := dmaword.Load16(q.avail, q.usedEventOff); got != 2 {
				t.Fatalf("used_event = %d, want 2", got)
			}
			// With interrupts on, harvesting moves used_event along.
			h, _ = dev.pop(t)
			dev.use(h, 0)
			dev.publish()
			q.Used()
			if got := dmaword.Load16(q.avail, q.usedEventOff); got != 3 {
				t.Fatalf("used_event after harvest = %d, want 3", got)
			}
		} else if dmaword.Load16(q.avail, ringFlags) != 0 {
			t.Fatal("EnableInterrupts left NO_INTERRUPT set")
		}
	}
}

func TestEnableInterruptsAfter(t *testing.T) {
	q, _, _ := newQueue(t, 8, true)
	dev := &fakeDevice{q: q}
	for range 6 {
		q.Add([]Buffer{{Len: 1}})
	}
	q.Publish()
	q.DisableInterrupts()
	if q.EnableInterruptsAfter(4) {
		t.Fatal("ready with nothing used")
	}
	if got := dmaword.Load16(q.avail, q.usedEventOff); got != 3 {
		t.Fatalf("used_event = %d, want 3", got)
	}
	for range 4 {
		h, _ := dev.pop(t)
		dev.use(h, 0)
	}
	dev.publish()
	if !q.EnableInterruptsAfter(4) {
		t.Fatal("not ready with 4 used")
	}
}

func TestBrokenDevice(t *testing.T) {
	q, _, _ := newQueue(t, 4, false)
	dev := &fakeDevice{q: q}
	q.Add([]Buffer{{Len: 1}})
	q.Publish()
	dev.use(3, 0) // never made available
	dev.publish()
	if _, _, err := q.Used(); !errors.Is(err, ErrDeviceBroken) {
		t.Fatalf("unknown id: %v", err)
	}
	q2, _, _ := newQueue(t, 4, false)
	dev2 := &fakeDevice{q: q2}
	h, _ := q2.Add([]Buffer{{Len: 1}})
	q2.Publish()
	dev2.use(h, 0)
	dev2.use(h, 0) // more used than outstanding
	dev2.publish()
	if _, _, err := q2.Used(); !errors.Is(err, ErrDeviceBroken) {
		t.Fatalf("used idx past outstanding: %v", err)
	}
}

func TestPeek(t *testing.T) {
	q, _, _ := newQueue(t, 8, false)
	dev := &fakeDevice{q: q}
	var heads []uint16
	for range 3 {
		h, _ := q.Add([]Buffer{{Len: 1, Writable: true}})
		heads = append(heads, h)
	}
	q.Publish()
	for i := range 2 {
		h, _ := dev.pop(t)
		dev.use(h, uint32(10+i))
	}
	dev.publish()
	if h, n, err := q.Peek(1); err != nil || h != heads[1] || n != 11 {
		t.Fatalf("Peek(1) = %d %d %v", h, n, err)
	}
	if _, _, err := q.Peek(2); err != ErrEmpty {
		t.Fatalf("Peek past the used index: %v", err)
	}
	if q.Pending() != 2 {
		t.Fatalf("Pending = %d", q.Pending())
	}
}

func TestNeedEvent(t *testing.T) {
	cases := []struct {
		event, new, old uint16
		want            bool
	}{
		{0, 1, 0, true},
		{0, 0, 0, false},
		{5, 5, 0, false},
		{5, 6, 0, true},
		{5, 6, 5, true},
		{5, 6, 6, false},
		{4, 10, 5, false},
		{0xffff, 2, 0xfffe, true},
		{0xfffe, 2, 0xffff, false},
		{1, 2, 0xfff0, true},
	}
	for _, c := range cases {
		if got := needEvent(c.event, c.new, c.old); got != c.want {
			t.Errorf("needEvent(%d, %d, %d) = %v", c.event, c.new, c.old, got)
		}
	}
}
