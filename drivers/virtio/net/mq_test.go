package net

import (
	"encoding/binary"
	"slices"
	"sync"
	"testing"
	"time"

	"warren.dev/drivers/ether"
	"warren.dev/drivers/virtio/internal/devmodel"
)

// mqModes are the interrupt layouts with two pairs: a vector per queue,
// a vector per pair, one vector, INTx, and virtio-mmio's line.
var mqModes = []struct {
	name string
	o    opts
}{
	{"msix5", opts{msix: 5}},
	{"msix3", opts{msix: 3}},
	{"msix1", opts{msix: 1}},
	{"intx", opts{msix: -1}},
	{"mmio", opts{mmio: true}},
}

// mq sets o up for two pairs of a device that has four.
func mq(o opts) opts {
	o.pairs = 2
	o.net.MaxPairs = 4
	return o
}

func TestMQNegotiation(t *testing.T) {
	for _, c := range []struct {
		name      string
		offered   uint64
		maxPairs  uint16
		pairs     int
		wantPairs int
		wantMQ    bool
		wantCmds  []string
	}{
		{"two of four", allOffered, 4, 2, 2, true, []string{"4.0 02 00"}},
		{"all four", allOffered, 4, 8, 4, true, []string{"4.0 04 00"}},
		{"no MQ offered", allOffered &^ devmodel.NetFMQ, 4, 2, 1, false, nil},
		{"no control queue offered", allOffered &^ devmodel.NetFCtrlVQ, 4, 2, 1, false, nil},
		{"one CPU", allOffered, 4, 1, 1, false, nil},
		{"device has one pair", allOffered, 1, 2, 1, true, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := openEnv(t, opts{offered: c.offered, pairs: c.pairs, msix: 9, net: devmodel.NetOptions{MaxPairs: c.maxPairs}})
			if got := e.d.Pairs(); got != c.wantPairs {
				t.Errorf("driver uses %d pairs, want %d", got, c.wantPairs)
			}
			if got := e.m.Pairs(); got != c.wantPairs {
				t.Errorf("device serves %d pairs, want %d", got, c.wantPairs)
			}
			f := e.d.Features()
			if f.Has(FMQ) != c.wantMQ || f.Has(FCtrlVQ) != c.wantMQ {
				t.Errorf("negotiated MQ %v, CTRL_VQ %v; want both %v", f.Has(FMQ), f.Has(FCtrlVQ), c.wantMQ)
			}
			if got := e.m.CtrlCommands(); !slices.Equal(got, c.wantCmds) {
				t.Errorf("control commands %q, want %q", got, c.wantCmds)
			}
			if got := len(e.d.Stats().RXQueues); got != c.wantPairs {
				t.Errorf("Stats has %d receive queues", got)
			}
		})
	}
}

// TestMQRefused: a device that answers the pairs command with an error
// is reset and used with one pair, MQ not negotiated.
func TestMQRefused(t *testing.T) {
	o := mq(opts{msix: 5})
	o.net.CtrlNAK = true
	e := openEnv(t, o)
	if e.d.Pairs() != 1 || e.d.Features().Has(FMQ) || e.d.Features().Has(FCtrlVQ) {
		t.Fatalf("after a refusal: %d pairs, features %#x", e.d.Pairs(), e.d.Features())
	}
	if got, want := e.m.CtrlCommands(), []string{"4.0 02 00"}; !slices.Equal(got, want) {
		t.Errorf("control commands %q, want %q", got, want)
	}
	e.m.Inject(devmodel.Packet{Data: frame(60, 1)})
	e.sendAll([]ether.Frame{one(frame(60, 2))})
	e.waitRX(1)
	if _, err := e.m.WaitSent(1, 10*time.Second); err != nil {
		t.Fatal(err)
	}
}

// TestMQReceiveEveryQueue: frames the device puts on either receive
// queue reach Receive, and each queue counts its own.
func TestMQReceiveEveryQueue(t *testing.T) {
	for _, mode := range mqModes {
		t.Run(mode.name, func(t *testing.T) {
			e := openEnv(t, mq(mode.o))
			if e.d.Pairs() != 2 {
				t.Fatalf("%d pairs", e.d.Pairs())
			}
			const n = 200
			for i := range n {
				e.m.Inject(devmodel.Packet{Data: frame(60+i%100, i), Queue: i % 2})
			}
			got := e.waitRX(n)
			seen := map[string]bool{}
			for _, f := range got {
				seen[string(f.data)] = true
			}
			for i := range n {
				if !seen[string(frame(60+i%100, i))] {
					t.Fatalf("frame %d not received", i)
				}
			}
			if s := e.d.Stats(); !slices.Equal(s.RXQueues, []uint64{n / 2, n / 2}) || s.RX.Packets != n {
				t.Errorf("receive counters %v, total %d; want %d each", s.RXQueues, s.RX.Packets, n/2)
			}
		})
	}
}

// tcpFrame is a TCP/IPv4 frame from port sport carrying seq in its
// payload.
func tcpFrame(sport uint16, seq int) []byte {
	b := make([]byte, 14+20+20+4)
	copy(b, []byte{2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00})
	ip := b[14:]
	ip[0], ip[9] = 0x45, 6
	binary.BigEndian.PutUint16(ip[2:], uint16(len(ip)))
	copy(ip[12:], []byte{10, 0, 0, 1, 10, 0, 0, 2})
	binary.BigEndian.PutUint16(ip[20:], sport)
	binary.BigEndian.PutUint16(ip[22:], 80)
	binary.BigEndian.PutUint32(ip[40:], uint32(seq))
	return b
}

// TestMQFlowKeepsQueue: frames of many flows, interleaved in batches,
// leave each flow on one transmit queue in its order, and the flows use
// both queues. The headers are split across Data slices, as netstack
// hands them over.
func TestMQFlowKeepsQueue(t *testing.T) {
	for _, mode := range mqModes {
		t.Run(mode.name, func(t *testing.T) {
			e := openEnv(t, mq(mode.o))
			const flows, per = 16, 40
			var batch []ether.Frame
			for i := range per {
				for fl := range flows {
					b := tcpFrame(40000+uint16(fl), i)
					batch = append(batch, ether.Frame{Data: [][]byte{b[:14], b[14:34], b[34:]}})
				}
				if len(batch) >= 50 {
					e.sendAll(batch)
					batch = nil
				}
			}
			e.sendAll(batch)
			sent, err := e.m.WaitSent(flows*per, 10*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			queueOf := map[uint16]int{}
			next := map[uint16]uint32{}
			used := map[int]int{}
			for _, p := range sent {
				sport := binary.BigEndian.Uint16(p.Data[34:])
				seq := binary.BigEndian.Uint32(p.Data[54:])
				if q, ok := queueOf[sport]; ok && q != p.Queue {
					t.Fatalf("flow %d on queues %d and %d", sport, q, p.Queue)
				}
				queueOf[sport] = p.Queue
				if seq != next[sport] {
					t.Fatalf("flow %d: frame %d after %d", sport, seq, next[sport])
				}
				next[sport]++
				used[p.Queue]++
			}
			if len(used) != 2 {
				t.Errorf("transmit queues used: %v", used)
			}
			if s := e.d.Stats(); s.TXQueues[0] != uint64(used[0]) || s.TXQueues[1] != uint64(used[1]) {
				t.Errorf("transmit counters %v, device saw %v", s.TXQueues, used)
			}
		})
	}
}

// TestMQConcurrent runs senders of different flows and traffic on both
// receive queues at once, on small rings, for the race detector.
func TestMQConcurrent(t *testing.T) {
	for _, mode := range mqModes {
		t.Run(mode.name, func(t *testing.T) {
			o := mq(mode.o)
			o.net.QueueSize = 8
			e := openEnv(t, o)
			const senders, per, injected = 4, 500, 1000
			var wg sync.WaitGroup
			for g := range senders {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range per {
						if err := transmitAll(e.d, []ether.Frame{one(tcpFrame(50000+uint16(g), i))}); err != nil {
							t.Error(err)
							return
						}
					}
				}()
			}
			for i := range injected {
				e.m.Inject(devmodel.Packet{Data: frame(60, i), Queue: i % 2})
			}
			wg.Wait()
			e.waitRX(injected)
			if _, err := e.m.WaitSent(senders*per, 10*time.Second); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestMQWaitRightQueue: WaitTXSpace waits for the ring the frame goes
// to, full here, not for the first, which is empty.
func TestMQWaitRightQueue(t *testing.T) {
	o := mq(opts{msix: 5})
	o.net.QueueSize = 8
	o.net.HoldTX = true
	e := openEnv(t, o)
	sport := uint16(1)
	for e.d.txQueueFor(&ether.Frame{Data: [][]byte{tcpFrame(sport, 0)}}) != &e.d.tx[1] {
		sport++
	}
	f := []ether.Frame{one(tcpFrame(sport, 0))}
	for {
		if _, err := e.d.Transmit(f); err == ErrQueueFull {
			break
		} else if err != nil {
			t.Fatal(err)
		}
	}
	done := make(chan error, 1)
	go func() { done <- e.d.WaitTXSpace(&f[0]) }()
	select {
	case err := <-done:
		t.Fatalf("WaitTXSpace returned %v with the flow's ring full", err)
	case <-time.After(50 * time.Millisecond):
	}
	e.m.CompleteTX(-1)
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("WaitTXSpace still waiting after the device completed")
	}
}

func TestFlowHash(t *testing.T) {
	a, b := tcpFrame(1000, 0), tcpFrame(1001, 0)
	ha := flowHash(&ether.Frame{Data: [][]byte{a}})
	if ha == flowHash(&ether.Frame{Data: [][]byte{b}}) {
		t.Errorf("ports not hashed")
	}
	if got := flowHash(&ether.Frame{Data: [][]byte{a[:20], a[20:]}}); got != ha {
		t.Errorf("split headers hash to %#x, whole to %#x", got, ha)
	}
	frag := slices.Clone(a)
	frag[14+6] = 0x20 // more fragments: the ports are not there to read
	c := slices.Clone(frag)
	binary.BigEndian.PutUint16(c[34:], 1001)
	if flowHash(&ether.Frame{Data: [][]byte{frag}}) != flowHash(&ether.Frame{Data: [][]byte{c}}) {
		t.Errorf("fragment hashed its ports")
	}
	if h := flowHash(&ether.Frame{Data: [][]byte{frame(60, 0)}}); h != 0 {
		t.Errorf("non-IP frame hashed to %#x", h)
	}
}
