package link

import (
	"slices"
	"sync"
	"time"

	"gvisor.dev/gvisor/pkg/tcpip/header"

	"warren.dev/drivers/ether"
)

// Delayed acknowledgements.
//
// netstack acknowledges received data as soon as its TCP processor has
// handled the segments, so a request a server answers a moment later
// costs two frames out: a bare ACK, then the answer carrying the same
// acknowledgement. Linux delays a bare ACK (40 ms at least) in the hope
// of carrying it on data, but acknowledges at least every second
// segment. The endpoint does the same below the stack: a bare ACK that
// moves a flow's acknowledgement forward is held, and dropped when the
// flow's next frame carries the acknowledgement anyway; a second bare ACK
// of the flow goes out at once (replacing the held one), and a held one
// goes out when its time is up. Nothing else is held: duplicate ACKs and
// window updates (no progress), ACKs with SACK blocks, and every frame
// with data or another flag pass through in order.
//
// The only reordering is a held ACK sent by the timer just after a later
// frame of its flow: it then carries an older acknowledgement, which the
// peer ignores.

// ackDelayMax bounds how long a bare ACK is held.
const ackDelayMax = 40 * time.Millisecond

// ackFlows bounds the flows whose last acknowledgement is remembered;
// past it, the idle ones are forgotten.
const ackFlows = 1024

// ackHeader is the most of a frame the filter reads: Ethernet, an IPv6
// header and a TCP header with the longest options.
const ackHeader = header.EthernetMinimumSize + header.IPv6MinimumSize + header.TCPHeaderMaximumSize

// flowKey names a TCP flow: IP version, addresses, ports.
type flowKey [1 + 16 + 16 + 2 + 2]byte

// tcpFrame is what the filter knows of a frame.
type tcpFrame struct {
	key    flowKey
	ack    uint32
	hasAck bool
	bare   bool // ACK alone: no data, no other flag, no SACK block
}

// parseTCP reads the TCP header of an unfragmented IPv4 or IPv6 frame.
func parseTCP(f *ether.Frame) (tcpFrame, bool) {
	var buf [ackHeader]byte
	n := f.CopyTo(buf[:])
	b := buf[:n]
	var t tcpFrame
	if len(b) < header.EthernetMinimumSize {
		return t, false
	}
	eth := header.Ethernet(b)
	ip := b[header.EthernetMinimumSize:]
	var tcp header.TCP
	var payload int
	switch eth.Type() {
	case header.IPv4ProtocolNumber:
		h := header.IPv4(ip)
		if len(ip) < header.IPv4MinimumSize || h.Protocol() != uint8(header.TCPProtocolNumber) ||
			h.FragmentOffset() != 0 || h.Flags()&header.IPv4FlagMoreFragments != 0 {
			return t, false
		}
		hl := int(h.HeaderLength())
		if hl < header.IPv4MinimumSize || len(ip) < hl+header.TCPMinimumSize {
			return t, false
		}
		t.key[0] = 4
		copy(t.key[1:], ip[12:16])
		copy(t.key[17:], ip[16:20])
		tcp = header.TCP(ip[hl:])
		payload = int(h.TotalLength()) - hl
	case header.IPv6ProtocolNumber:
		h := header.IPv6(ip)
		if len(ip) < header.IPv6MinimumSize+header.TCPMinimumSize || h.NextHeader() != uint8(header.TCPProtocolNumber) {
			return t, false
		}
		t.key[0] = 6
		copy(t.key[1:], ip[8:24])
		copy(t.key[17:], ip[24:40])
		tcp = header.TCP(ip[header.IPv6MinimumSize:])
		payload = int(h.PayloadLength())
	default:
		return t, false
	}
	copy(t.key[33:], tcp[:4]) // source and destination ports
	off := int(tcp.DataOffset())
	if off < header.TCPMinimumSize || off > len(tcp) {
		return t, false
	}
	flags := tcp.Flags()
	t.hasAck = flags.Contains(header.TCPFlagAck)
	t.ack = tcp.AckNumber()
	t.bare = flags == header.TCPFlagAck && f.GSOType == ether.GSONone && payload == off && !hasSACK(tcp[header.TCPMinimumSize:off])
	return t, true
}

// hasSACK reports whether TCP options carry a SACK block.
func hasSACK(opts []byte) bool {
	for i := 0; i < len(opts); {
		switch opts[i] {
		case header.TCPOptionEOL:
			return false
		case header.TCPOptionNOP:
			i++
			continue
		case header.TCPOptionSACK:
			return true
		}
		if i+1 >= len(opts) || opts[i+1] < 2 {
			return false
		}
		i += int(opts[i+1])
	}
	return false
}

// ackFlow is one flow's state.
type ackFlow struct {
	lastAck uint32 // the acknowledgement last sent, or held
	sent    bool   // lastAck is set
	held    bool
	frame   ether.Frame // the held ACK, Data pointing at data, at bytes
	data    [1][]byte
	bytes   [ackHeader]byte
	at      time.Time
}

// ackDelay is an endpoint's filter.
type ackDelay struct {
	mu    sync.Mutex
	flows map[flowKey]*ackFlow
	timer *time.Timer
	armed bool
	send  func([]ether.Frame) // sends held ACKs when their time is up
	now   func() time.Time

	scratch []ether.Frame // a packet's frames while filter rewrites them

	held, coalesced, expired uint64 // under mu
}

func newAckDelay(send func([]ether.Frame)) *ackDelay {
	d := &ackDelay{flows: map[flowKey]*ackFlow{}, send: send, now: time.Now}
	d.timer = time.AfterFunc(time.Hour, d.expire)
	d.timer.Stop()
	return d
}

// filter passes the frames of one packet, frames[from:], through the
// filter: a bare ACK it holds leaves them, and a held ACK of the same
// flow that a frame does not carry goes out before that frame.
func (d *ackDelay) filter(frames []ether.Frame, from int) []ether.Frame {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.scratch = append(d.scratch[:0], frames[from:]...)
	out := frames[:from]
	for i := range d.scratch {
		f := &d.scratch[i]
		t, ok := parseTCP(f)
		if !ok {
			out = append(out, *f)
			continue
		}
		fl := d.flows[t.key]
		replaced := false // a held ACK gave way to this frame
		if fl != nil && fl.held {
			fl.held = false
			if t.hasAck && !seqBefore(t.ack, fl.lastAck) {
				d.coalesced++
				replaced = true
			} else {
				out = append(out, fl.frame)
			}
		}
		if !t.hasAck {
			out = append(out, *f)
			continue
		}
		// A bare ACK that replaced a held one goes out: at least every
		// second segment is acknowledged at once.
		if t.bare && !replaced && fl != nil && fl.sent && seqBefore(fl.lastAck, t.ack) {
			d.hold(fl, f, t.ack)
			continue
		}
		if fl == nil {
			fl = d.flow(t.key)
		}
		fl.lastAck, fl.sent = t.ack, true
		out = append(out, *f)
	}
	clear(d.scratch) // drop references to packet memory
	return out
}

// hold keeps a copy of the bare ACK f.
func (d *ackDelay) hold(fl *ackFlow, f *ether.Frame, ack uint32) {
	n := f.CopyTo(fl.bytes[:])
	fl.frame = *f
	fl.data[0] = fl.bytes[:n]
	fl.frame.Data = fl.data[:]
	fl.held, fl.lastAck, fl.at = true, ack, d.now()
	d.held++
	if !d.armed {
		d.armed = true
		d.timer.Reset(ackDelayMax)
	}
}

// flow returns a new flow's state, forgetting idle flows when there are
// too many.
func (d *ackDelay) flow(k flowKey) *ackFlow {
	if len(d.flows) >= ackFlows {
		for k, fl := range d.flows {
			if !fl.held {
				delete(d.flows, k)
			}
		}
	}
	fl := &ackFlow{}
	d.flows[k] = fl
	return fl
}

// stop ends the timer; held ACKs are dropped with the endpoint.
func (d *ackDelay) stop() { d.timer.Stop() }

// expire sends the ACKs held for the whole delay, and waits for the rest.
func (d *ackDelay) expire() {
	d.mu.Lock()
	var due []ether.Frame
	next := time.Duration(0)
	now := d.now()
	for _, fl := range d.flows {
		if !fl.held {
			continue
		}
		if wait := ackDelayMax - now.Sub(fl.at); wait > 0 {
			if next == 0 || wait < next {
				next = wait
			}
			continue
		}
		fl.held = false
		// A copy: once the lock is let go, hold may overwrite the
		// flow's buffer with its next ACK while this one is sent.
		f := fl.frame
		f.Data = [][]byte{slices.Clone(fl.data[0])}
		due = append(due, f)
		d.expired++
	}
	d.armed = next > 0
	if d.armed {
		d.timer.Reset(next)
	}
	d.mu.Unlock()
	if len(due) > 0 {
		d.send(due)
	}
}

// seqBefore reports whether TCP sequence number a comes before b.
func seqBefore(a, b uint32) bool { return int32(a-b) < 0 }
