package e1000

import (
	"errors"
	"sync"
	"testing"
	"time"

	"warren.dev/drivers/e1000/e1000test"
	"warren.dev/drivers/ether"
)

func TestTransmit(t *testing.T) {
	r := newRig(t, e1000test.Config{}, Options{})
	tdt := r.m.Counts().TDTWrites
	sizes := []int{14, 42, 60, 61, 100, 1000, 1514}
	var frames []ether.Frame
	var want [][]byte
	for i, n := range sizes {
		f := numbered(peerMAC, i, max(n-14, 4))[:n]
		want = append(want, f)
		frames = append(frames, ether.Frame{Data: [][]byte{f}})
	}
	// A tagged full-size frame, handed over in pieces.
	tagged := eth(peerMAC, testMAC, 0x8100, append([]byte{0, 5, 0x88, 0xB5}, pattern(1500)...))
	want = append(want, tagged)
	frames = append(frames, ether.Frame{Data: [][]byte{tagged[:3], tagged[3:700], {}, tagged[700:]}})

	n, err := r.d.Transmit(frames)
	if n != len(frames) || err != nil {
		t.Fatalf("Transmit = %d, %v", n, err)
	}
	if got := r.m.Counts().TDTWrites - tdt; got != 1 {
		t.Errorf("TDT written %d times for one batch", got)
	}
	if !r.m.WaitSent(len(want), 5*time.Second) {
		t.Fatal("frames not sent")
	}
	for i, got := range r.m.Sent() {
		if !equalPrefix(got, want[i]) || len(got) < 60 {
			t.Errorf("frame %d: sent %d bytes %x, want %x padded to 60", i, len(got), got, want[i])
		}
	}
	var bytes uint64
	for _, f := range want {
		bytes += uint64(len(f))
	}
	eventually(t, "transmit completions", func() bool { return r.d.Stats().TxPackets == uint64(len(want)) })
	if s := r.d.Stats(); s.TxBytes != bytes || s.TxDropped != 0 || s.TxErrors != 0 {
		t.Errorf("stats %+v, want %d bytes", s, bytes)
	}
}

func TestTransmitRingWrap(t *testing.T) {
	r := newRig(t, e1000test.Config{}, Options{TxDescriptors: 8})
	const total = 1000
	next := 0
	for next < total {
		batch := make([]ether.Frame, 0, 5)
		for i := next; i < min(next+5, total); i++ {
			batch = append(batch, ether.Frame{Data: [][]byte{numbered(peerMAC, i, 100+i%400)}})
		}
		n, err := r.d.Transmit(batch)
		next += n
		if errors.Is(err, ErrRingFull) {
			select {
			case <-r.d.TxSpace():
			case <-time.After(5 * time.Second):
				t.Fatal("no TxSpace signal")
			}
		} else if err != nil {
			t.Fatal(err)
		}
	}
	if !r.m.WaitSent(total, 10*time.Second) {
		t.Fatalf("%d frames sent, want %d", len(r.m.Sent()), total)
	}
	for i, f := range r.m.Sent() {
		if seqOf(f) != i || len(f) != 14+100+i%400 {
			t.Fatalf("frame %d: seq %d, %d bytes", i, seqOf(f), len(f))
		}
	}
	eventually(t, "completions", func() bool { return r.d.Stats().TxPackets == total })
}

func TestTransmitRingFull(t *testing.T) {
	r := newRig(t, e1000test.Config{}, Options{TxDescriptors: 16})
	r.m.HoldTx(true)
	var frames []ether.Frame
	for i := range 40 {
		frames = append(frames, ether.Frame{Data: [][]byte{numbered(peerMAC, i, 64)}})
	}
	n, err := r.d.Transmit(frames)
	if n != 15 || !errors.Is(err, ErrRingFull) {
		t.Fatalf("Transmit into a 16-descriptor ring = %d, %v; want 15, ErrRingFull", n, err)
	}
	if n2, err := r.d.Transmit(frames[n:]); n2 != 0 || !errors.Is(err, ErrRingFull) {
		t.Fatalf("Transmit into a full ring = %d, %v", n2, err)
	}
	if s := r.d.Stats(); s.TxRingFull != 2 {
		t.Errorf("TxRingFull %d", s.TxRingFull)
	}
	if len(r.m.Sent()) != 0 {
		t.Fatal("sent while held")
	}
	r.m.HoldTx(false)
	if !r.m.WaitSent(15, 5*time.Second) {
		t.Fatal("queued frames not sent")
	}
	select {
	case <-r.d.TxSpace():
	case <-time.After(5 * time.Second):
		t.Fatal("no TxSpace signal after the ring drained")
	}
	for sent := n; sent < len(frames); {
		k, err := r.d.Transmit(frames[sent:])
		sent += k
		if errors.Is(err, ErrRingFull) {
			<-r.d.TxSpace()
		} else if err != nil {
			t.Fatal(err)
		}
	}
	if !r.m.WaitSent(40, 5*time.Second) {
		t.Fatal("frames not sent")
	}
	for i, f := range r.m.Sent() {
		if seqOf(f) != i {
			t.Fatalf("frame %d has seq %d: queued frames overwritten or reordered", i, seqOf(f))
		}
	}
}

func TestTransmitMalformed(t *testing.T) {
	r := newRig(t, e1000test.Config{}, Options{})
	good := func(i int) ether.Frame { return ether.Frame{Data: [][]byte{numbered(peerMAC, i, 60)}} }
	frames := []ether.Frame{
		good(0),
		{Data: [][]byte{make([]byte, 10)}}, // shorter than a header
		good(1),
		{Data: [][]byte{make([]byte, MaxFrameLen+1)}},                                             // too long
		{Data: [][]byte{numbered(peerMAC, 9, 60)}, NeedsCsum: true, CsumStart: 70, CsumOffset: 6}, // outside
		{Data: [][]byte{numbered(peerMAC, 9, 60)}, NeedsIPCsum: true},                             // not IPv4
		{Data: [][]byte{numbered(peerMAC, 9, 60)}, GSOType: ether.GSOTCPv6, GSOSize: 1000},
		{Data: [][]byte{numbered(peerMAC, 9, 60)}, GSOType: ether.GSOTCPv4, GSOSize: 1000}, // not TCP
		good(2),
	}
	n, err := r.d.Transmit(frames)
	if n != len(frames) || !errors.Is(err, ErrFrame) {
		t.Fatalf("Transmit = %d, %v; want all taken and ErrFrame", n, err)
	}
	if !r.m.WaitSent(3, 5*time.Second) {
		t.Fatal("good frames not sent")
	}
	time.Sleep(10 * time.Millisecond)
	sent := r.m.Sent()
	if len(sent) != 3 {
		t.Fatalf("%d frames sent, want 3", len(sent))
	}
	for i, f := range sent {
		if seqOf(f) != i {
			t.Errorf("frame %d: seq %d", i, seqOf(f))
		}
	}
	if s := r.d.Stats(); s.TxDropped != 6 {
		t.Errorf("TxDropped %d, want 6", s.TxDropped)
	}
}

func TestTransmitAfterClose(t *testing.T) {
	r := newRig(t, e1000test.Config{}, Options{})
	r.d.Close()
	if n, err := r.d.Transmit([]ether.Frame{{Data: [][]byte{numbered(peerMAC, 0, 60)}}}); n != 0 || !errors.Is(err, ErrClosed) {
		t.Errorf("Transmit after Close = %d, %v", n, err)
	}
}

func TestTransmitAllocs(t *testing.T) {
	r := newRig(t, e1000test.Config{}, Options{})
	r.m.HoldTx(true) // the model allocates when it sends
	frames := []ether.Frame{{Data: [][]byte{numbered(peerMAC, 0, 100)}}}
	if a := testing.AllocsPerRun(100, func() {
		if _, err := r.d.Transmit(frames); err != nil {
			t.Fatal(err)
		}
	}); a != 0 {
		t.Errorf("Transmit allocates %.1f times per call", a)
	}
	r.m.HoldTx(false)
}

// TestWaitTXSpaceFromReceiver: a receiver that answers a frame, as the
// network stack does, finds the transmit ring full and waits for room.
// It waits on the interrupt goroutine, which cannot take the transmit
// interrupt meanwhile, so the wait must end by itself once the device
// has sent the frames.
func TestWaitTXSpaceFromReceiver(t *testing.T) {
	r := newModel(t, e1000test.Config{})
	var waiting sync.Once
	waits := make(chan struct{})
	replied := make(chan error, 1)
	answer := func(ether.Frame) {
		reply := []ether.Frame{{Data: [][]byte{numbered(peerMAC, 15, 64)}}}
		for {
			n, err := r.d.Transmit(reply)
			if n == 1 {
				break
			}
			if !errors.Is(err, ErrRingFull) {
				replied <- err
				return
			}
			waiting.Do(func() { close(waits) })
			if err := r.d.WaitTXSpace(time.Minute); err != nil {
				replied <- err
				return
			}
		}
		replied <- nil
	}
	if err := r.open(Options{TxDescriptors: 16, Receive: answer}); err != nil {
		t.Fatal(err)
	}
	r.m.HoldTx(true)
	var frames []ether.Frame
	for i := range 15 {
		frames = append(frames, ether.Frame{Data: [][]byte{numbered(peerMAC, i, 64)}})
	}
	if n, err := r.d.Transmit(frames); n != 15 || err != nil {
		t.Fatalf("Transmit = %d, %v", n, err)
	}
	if !r.m.Receive(numbered(testMAC, 100, 64)) {
		t.Fatal("the model dropped the frame")
	}
	select {
	case <-waits:
	case <-time.After(10 * time.Second):
		t.Fatal("the receiver did not find the ring full")
	}
	r.m.HoldTx(false)
	select {
	case err := <-replied:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the receiver is still waiting for room")
	}
	if !r.m.WaitSent(16, 5*time.Second) {
		t.Fatal("the reply was not sent")
	}
	for i, f := range r.m.Sent() {
		if seqOf(f) != i {
			t.Fatalf("frame %d has seq %d", i, seqOf(f))
		}
	}
}
