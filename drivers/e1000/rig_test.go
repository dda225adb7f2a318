package e1000

import (
	"bytes"
	"encoding/binary"
	"slices"
	"sync"
	"testing"
	"time"

	"warren.dev/drivers/e1000/e1000test"
	"warren.dev/drivers/ether"
	"warren.dev/drivers/hw/hwtest"
)

var (
	testMAC  = [6]byte{0x52, 0x54, 0x00, 0x12, 0x34, 0x56}
	peerMAC  = [6]byte{0x52, 0x54, 0x00, 0xAA, 0xBB, 0xCC}
	bcastMAC = [6]byte{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}
)

// rx is a received frame, copied.
type rx struct {
	data  []byte
	valid bool
	more  bool
}

// rig is a driver on a device model.
type rig struct {
	t   *testing.T
	dma *hwtest.DMA
	irq *hwtest.Interrupt
	m   *e1000test.Model
	d   *Device

	mu  sync.Mutex
	got []rx
	ch  chan struct{}
}

func newModel(t *testing.T, cfg e1000test.Config) *rig {
	t.Helper()
	if cfg.MAC == ([6]byte{}) {
		cfg.MAC = testMAC
	}
	r := &rig{t: t, dma: hwtest.NewDMA(0x1_0000_0000, 8<<20), irq: hwtest.NewInterrupt(), ch: make(chan struct{}, 1)}
	r.m = e1000test.New(r.dma, r.irq, cfg)
	return r
}

// open opens the driver on r's model with r's receiver installed.
func (r *rig) open(opts Options) error {
	if opts.Receive == nil {
		opts.Receive = r.receive
	}
	d, err := Open(r.m.Regs(), r.dma, r.irq, opts)
	if err != nil {
		return err
	}
	r.d = d
	r.t.Cleanup(func() {
		r.d.Close()
		if n := r.dma.Outstanding(); n != 0 {
			r.t.Errorf("%d DMA allocations outstanding after Close", n)
		}
		r.checkModel()
	})
	return nil
}

func (r *rig) checkModel() {
	r.t.Helper()
	for _, e := range r.m.Errors() {
		r.t.Errorf("device model: %s", e)
	}
}

// newRig opens a driver on a fresh model.
func newRig(t *testing.T, cfg e1000test.Config, opts Options) *rig {
	t.Helper()
	r := newModel(t, cfg)
	if err := r.open(opts); err != nil {
		t.Fatalf("Open: %v", err)
	}
	return r
}

func (r *rig) receive(f ether.Frame) {
	if len(f.Data) != 1 {
		r.t.Errorf("received frame in %d slices", len(f.Data))
	}
	var b []byte
	for _, s := range f.Data {
		b = append(b, s...)
	}
	r.mu.Lock()
	r.got = append(r.got, rx{b, f.CsumValid, f.More})
	r.mu.Unlock()
	select {
	case r.ch <- struct{}{}:
	default:
	}
}

// waitRx waits for n received frames in all and returns them.
func (r *rig) waitRx(n int) []rx {
	r.t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		r.mu.Lock()
		k := len(r.got)
		got := slices.Clone(r.got)
		r.mu.Unlock()
		if k >= n {
			return got
		}
		select {
		case <-r.ch:
		case <-deadline:
			r.t.Fatalf("received %d frames, want %d", k, n)
		}
	}
}

func (r *rig) received() []rx {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.got)
}

// eventually polls cond for up to 10 s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// eth builds an Ethernet frame.
func eth(dst, src [6]byte, etherType uint16, payload []byte) []byte {
	b := append(append(append([]byte{}, dst[:]...), src[:]...), byte(etherType>>8), byte(etherType))
	return append(b, payload...)
}

// numbered is a frame to dst carrying seq in a payload of n bytes.
func numbered(dst [6]byte, seq, n int) []byte {
	p := make([]byte, n)
	binary.BigEndian.PutUint32(p, uint32(seq))
	for i := 4; i < n; i++ {
		p[i] = byte(seq + i)
	}
	return eth(dst, peerMAC, 0x88B5, p) // local experimental EtherType
}

func seqOf(frame []byte) int { return int(binary.BigEndian.Uint32(frame[14:])) }

// csum is a plain RFC 1071 checksum, independent of the driver's.
func csum(b []byte, acc uint32) uint16 {
	for i := 0; i < len(b); i++ {
		if i%2 == 0 {
			acc += uint32(b[i]) << 8
		} else {
			acc += uint32(b[i])
		}
	}
	for acc > 0xFFFF {
		acc = acc>>16 + acc&0xFFFF
	}
	return uint16(acc)
}

// ipv4 builds an IPv4 packet with a correct header checksum around an L4
// segment whose checksum field (at csumAt) is computed when fill is set.
func ipv4(proto byte, l4 []byte, csumAt int, fill bool) []byte {
	h := make([]byte, 20)
	h[0] = 0x45
	binary.BigEndian.PutUint16(h[2:], uint16(20+len(l4)))
	binary.BigEndian.PutUint16(h[4:], 0x1234)
	h[8] = 64
	h[9] = proto
	copy(h[12:], []byte{10, 0, 2, 15})
	copy(h[16:], []byte{10, 0, 2, 2})
	binary.BigEndian.PutUint16(h[10:], ^csum(h, 0))
	l4 = slices.Clone(l4)
	if fill {
		binary.BigEndian.PutUint16(l4[csumAt:], 0)
		ph := uint32(csum(h[12:20], 0)) + uint32(proto) + uint32(len(l4))
		binary.BigEndian.PutUint16(l4[csumAt:], ^csum(l4, ph))
	}
	return append(h, l4...)
}

// ipv6 builds an IPv6 packet.
func ipv6(proto byte, l4 []byte, csumAt int, fill bool) []byte {
	h := make([]byte, 40)
	h[0] = 0x60
	binary.BigEndian.PutUint16(h[4:], uint16(len(l4)))
	h[6] = proto
	h[7] = 64
	h[8], h[23] = 0xfe, 1
	h[24], h[39] = 0xfe, 2
	l4 = slices.Clone(l4)
	if fill {
		binary.BigEndian.PutUint16(l4[csumAt:], 0)
		ph := uint32(csum(h[8:40], 0)) + uint32(proto) + uint32(len(l4))
		binary.BigEndian.PutUint16(l4[csumAt:], ^csum(l4, ph))
	}
	return append(h, l4...)
}

// tcp builds a TCP segment with a zero checksum.
func tcp(seq uint32, flags byte, payload []byte) []byte {
	s := make([]byte, 20, 20+len(payload))
	binary.BigEndian.PutUint16(s[0:], 40000)
	binary.BigEndian.PutUint16(s[2:], 80)
	binary.BigEndian.PutUint32(s[4:], seq)
	s[12] = 5 << 4
	s[13] = flags
	binary.BigEndian.PutUint16(s[14:], 65535)
	return append(s, payload...)
}

// udp builds a UDP datagram with a zero checksum.
func udp(payload []byte) []byte {
	s := make([]byte, 8, 8+len(payload))
	binary.BigEndian.PutUint16(s[0:], 5353)
	binary.BigEndian.PutUint16(s[2:], 53)
	binary.BigEndian.PutUint16(s[4:], uint16(8+len(payload)))
	return append(s, payload...)
}

func pattern(n int) []byte {
	p := make([]byte, n)
	for i := range p {
		p[i] = byte(i*7 + i/256)
	}
	return p
}

// checkIP verifies an Ethernet frame's IPv4 or IPv6 and TCP/UDP
// checksums from scratch.
func checkIP(t *testing.T, frame []byte) {
	t.Helper()
	et := binary.BigEndian.Uint16(frame[12:])
	var ph uint32
	var seg []byte
	var proto byte
	switch et {
	case 0x0800:
		ip := frame[14:]
		ihl := int(ip[0]&0xF) * 4
		if csum(ip[:ihl], 0) != 0xFFFF {
			t.Errorf("bad IPv4 header checksum %#04x", binary.BigEndian.Uint16(ip[10:]))
		}
		total := int(binary.BigEndian.Uint16(ip[2:]))
		if total != len(ip) {
			t.Errorf("IPv4 total length %d, packet %d", total, len(ip))
		}
		proto, seg = ip[9], ip[ihl:total]
		ph = uint32(csum(ip[12:20], 0))
	case 0x86DD:
		ip := frame[14:]
		proto, seg = ip[6], ip[40:]
		if n := int(binary.BigEndian.Uint16(ip[4:])); n != len(seg) {
			t.Errorf("IPv6 payload length %d, payload %d", n, len(seg))
		}
		ph = uint32(csum(ip[8:40], 0))
	default:
		t.Fatalf("not IP: %#04x", et)
	}
	if s := csum(seg, ph+uint32(proto)+uint32(len(seg))); s != 0xFFFF {
		t.Errorf("bad L4 checksum (sum %#04x)", s)
	}
}

func equalPrefix(got, want []byte) bool {
	if len(got) < len(want) {
		return false
	}
	return bytes.Equal(got[:len(want)], want) && !slices.ContainsFunc(got[len(want):], func(b byte) bool { return b != 0 })
}
