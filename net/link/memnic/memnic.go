// Package memnic is a pure-Go NIC pair wired back to back, for tests and
// benchmarks of the network stack without hardware. It behaves like a
// device: it completes checksums and segments TSO frames it is handed
// (unless the peer takes coalesced frames, as a virtio-net peer on a tap
// device does), drops frames when its receive queue is full, and can be
// told to lose or corrupt frames.
package memnic

import (
	"errors"
	"math/rand/v2"
	"sync"
	"sync/atomic"

	"warren.dev/drivers/ether"
	"warren.dev/net/link"
)

// Options describe one NIC of a pair.
type Options struct {
	MAC [6]byte // zero: a locally administered address is made up
	MTU int     // IP MTU; 0 means 1500
	// Features are the offloads the NIC performs. With FeatureRXCsum it
	// marks received frames CsumValid unless it corrupted them itself:
	// frames handed to Transmit are trusted to carry good checksums.
	Features ether.Features
	// QueueLen bounds the frames waiting in the receive queue; more are
	// dropped, as a full ring would. 0 means 8192.
	QueueLen int
	// Loss and Corrupt are the probabilities that a frame this NIC sends
	// is lost, or has one byte past the Ethernet header flipped.
	Loss, Corrupt float64
	Seed          uint64 // for the loss and corruption choices
}

// NIC is one end of a pair. It implements link.NIC.
type NIC struct {
	opts Options
	peer *NIC
	up   atomic.Bool

	recv   atomic.Pointer[func(ether.Frame)]
	mu     sync.Mutex
	queue  []rxFrame
	wake   chan struct{}
	done   chan struct{}
	exited chan struct{}
	closed sync.Once

	rngMu sync.Mutex
	rng   *rand.Rand

	// Lost, Corrupted and Overflowed count frames this NIC's sending side
	// lost or corrupted on purpose, and frames its receive queue refused.
	Lost, Corrupted, Overflowed atomic.Uint64
}

type rxFrame struct {
	data []byte
	bad  bool // corrupted on the wire: a checksumming device would notice
	// gso and gsoSize mark a TCP frame handed over whole to a peer with
	// FeatureRXGSO; its checksum is left partial, so it is marked valid.
	gso     ether.GSOType
	gsoSize uint16
}

var macSeq atomic.Uint32

// Pair returns two NICs, each receiving what the other transmits.
func Pair(a, b Options) (*NIC, *NIC) {
	na, nb := newNIC(a), newNIC(b)
	na.peer, nb.peer = nb, na
	return na, nb
}

func newNIC(o Options) *NIC {
	if o.MAC == ([6]byte{}) {
		n := macSeq.Add(1)
		o.MAC = [6]byte{0x02, 0x77, 0x72, byte(n >> 16), byte(n >> 8), byte(n)}
	}
	if o.MTU == 0 {
		o.MTU = 1500
	}
	if o.QueueLen == 0 {
		o.QueueLen = 8192
	}
	n := &NIC{
		opts:   o,
		wake:   make(chan struct{}, 1),
		done:   make(chan struct{}),
		exited: make(chan struct{}),
		rng:    rand.New(rand.NewPCG(o.Seed, 0x6d656d6e6963)),
	}
	n.up.Store(true)
	go n.rxLoop()
	return n
}

// MAC implements link.NIC.
func (n *NIC) MAC() [6]byte { return n.opts.MAC }

// MTU implements link.NIC.
func (n *NIC) MTU() int { return n.opts.MTU }

// LinkUp implements link.NIC.
func (n *NIC) LinkUp() bool { return n.up.Load() }

// SetLinkUp unplugs (false) or replugs the cable: frames sent while it is
// unplugged are refused.
func (n *NIC) SetLinkUp(up bool) { n.up.Store(up) }

// Features implements link.NIC.
func (n *NIC) Features() ether.Features { return n.opts.Features }

// SetReceiver implements link.NIC.
func (n *NIC) SetReceiver(f func(ether.Frame)) { n.recv.Store(&f) }

// ErrClosed is returned by Transmit on a closed NIC.
var ErrClosed = errors.New("memnic: closed")

// Transmit implements link.NIC: it performs the offloads asked for and
// queues the resulting frames at the peer.
func (n *NIC) Transmit(frames []ether.Frame) (int, error) {
	select {
	case <-n.done:
		return 0, ErrClosed
	default:
	}
	if !n.up.Load() {
		return 0, nil
	}
	out := make([]rxFrame, 0, len(frames))
	for i := range frames {
		out = n.appendWire(out, &frames[i])
	}
	n.peer.enqueue(out)
	return len(frames), nil
}

// appendWire turns one frame as handed over into the frames on the wire.
func (n *NIC) appendWire(out []rxFrame, f *ether.Frame) []rxFrame {
	data := make([]byte, f.Len())
	f.CopyTo(data)
	if f.GSOType != ether.GSONone && n.peer.opts.Features.Has(ether.FeatureRXGSO) {
		return append(out, rxFrame{data: data, gso: f.GSOType, gsoSize: f.GSOSize})
	}
	if f.GSOType != ether.GSONone && len(data) > int(f.HdrLen)+int(f.GSOSize) {
		segs, _ := link.SegmentTCP(data, int(f.GSOSize), false, nil, nil)
		for i := range segs {
			seg := make([]byte, segs[i].Len())
			segs[i].CopyTo(seg)
			out = n.inject(out, seg)
		}
		return out
	}
	if f.NeedsCsum {
		link.CompleteChecksum(data, int(f.CsumStart), int(f.CsumOffset))
	}
	return n.inject(out, data)
}

// inject applies the configured loss and corruption to one wire frame.
func (n *NIC) inject(out []rxFrame, data []byte) []rxFrame {
	if n.opts.Loss == 0 && n.opts.Corrupt == 0 {
		return append(out, rxFrame{data: data})
	}
	n.rngMu.Lock()
	lose := n.rng.Float64() < n.opts.Loss
	corrupt := n.rng.Float64() < n.opts.Corrupt
	pos := ether.HeaderLen + n.rng.IntN(max(1, len(data)-ether.HeaderLen))
	n.rngMu.Unlock()
	switch {
	case lose:
		n.Lost.Add(1)
		return out
	case corrupt && pos < len(data):
		n.Corrupted.Add(1)
		data[pos] ^= 0x5a
		return append(out, rxFrame{data: data, bad: true})
	}
	return append(out, rxFrame{data: data})
}

// enqueue adds frames to the receive queue, dropping what does not fit.
func (n *NIC) enqueue(frames []rxFrame) {
	n.mu.Lock()
	room := n.opts.QueueLen - len(n.queue)
	if room < len(frames) {
		n.Overflowed.Add(uint64(len(frames) - max(room, 0)))
		frames = frames[:max(room, 0)]
	}
	n.queue = append(n.queue, frames...)
	n.mu.Unlock()
	select {
	case n.wake <- struct{}{}:
	default:
	}
}

// rxLoop is the device's receive goroutine: it hands queued frames to the
// receiver one at a time, as a driver's interrupt handler would.
func (n *NIC) rxLoop() {
	defer close(n.exited)
	var batch []rxFrame
	seg := make([][]byte, 1)
	for {
		select {
		case <-n.done:
			return
		case <-n.wake:
		}
		for {
			n.mu.Lock()
			batch, n.queue = n.queue, batch[:0]
			n.mu.Unlock()
			if len(batch) == 0 {
				break
			}
			validate := n.opts.Features.Has(ether.FeatureRXCsum)
			for i, f := range batch {
				select {
				case <-n.done:
					return
				default:
				}
				if r := n.recv.Load(); r != nil {
					seg[0] = f.data
					(*r)(ether.Frame{Data: seg, CsumValid: validate && !f.bad || f.gso != ether.GSONone, GSOType: f.gso, GSOSize: f.gsoSize,
						More: i < len(batch)-1})
				}
				batch[i] = rxFrame{}
			}
		}
	}
}

// Close implements link.NIC: it stops the receive goroutine and waits for
// it, so the receiver is not running once Close returns.
func (n *NIC) Close() error {
	n.closed.Do(func() { close(n.done) })
	<-n.exited
	return nil
}
