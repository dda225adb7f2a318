package link

import (
	"testing"
	"time"

	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/header"

	"warren.dev/drivers/ether"
)

// tcpFrameBytes builds an Ethernet/IPv4/TCP frame of the flow with the
// given source port.
func tcpFrameBytes(port uint16, flags header.TCPFlags, ack uint32, payload int, opts []byte) []byte {
	tcpLen := header.TCPMinimumSize + len(opts)
	b := make([]byte, header.EthernetMinimumSize+header.IPv4MinimumSize+tcpLen+payload)
	header.Ethernet(b).Encode(&header.EthernetFields{Type: header.IPv4ProtocolNumber})
	ip := header.IPv4(b[header.EthernetMinimumSize:])
	ip.Encode(&header.IPv4Fields{
		TotalLength: uint16(len(b) - header.EthernetMinimumSize),
		Protocol:    uint8(header.TCPProtocolNumber),
		TTL:         64,
		SrcAddr:     tcpip.AddrFrom4([4]byte{10, 0, 0, 1}),
		DstAddr:     tcpip.AddrFrom4([4]byte{10, 0, 0, 2}),
	})
	tcp := header.TCP(ip[header.IPv4MinimumSize:])
	tcp.Encode(&header.TCPFields{SrcPort: port, DstPort: 80, SeqNum: 1, AckNum: ack, DataOffset: uint8(tcpLen), Flags: flags, WindowSize: 1000})
	copy(tcp[header.TCPMinimumSize:], opts)
	return b
}

func frameOf(b []byte) ether.Frame { return ether.Frame{Data: [][]byte{b}} }

// ackOf is the acknowledgement a frame carries, for checking what went out.
func ackOf(t *testing.T, f ether.Frame) uint32 {
	t.Helper()
	p, ok := parseTCP(&f)
	if !ok {
		t.Fatalf("not a TCP frame")
	}
	return p.ack
}

// run filters frames one packet each, as WritePackets does.
func run(d *ackDelay, frames ...[]byte) []ether.Frame {
	var out []ether.Frame
	for _, b := range frames {
		out = d.filter(append(out, frameOf(b)), len(out))
	}
	return out
}

func newTestDelay() (*ackDelay, chan []ether.Frame) {
	sent := make(chan []ether.Frame, 10)
	return newAckDelay(func(f []ether.Frame) { sent <- append([]ether.Frame(nil), f...) }), sent
}

func TestAckDelayCarriedByData(t *testing.T) {
	d, _ := newTestDelay()
	defer d.stop()
	syn := tcpFrameBytes(1, header.TCPFlagSyn|header.TCPFlagAck, 100, 0, nil)
	ack := tcpFrameBytes(1, header.TCPFlagAck, 200, 0, nil)
	data := tcpFrameBytes(1, header.TCPFlagAck|header.TCPFlagPsh, 200, 50, nil)
	out := run(d, syn, ack, data)
	if len(out) != 2 || ackOf(t, out[0]) != 100 || out[1].Len() != len(data) {
		t.Fatalf("sent %d frames, want the SYN-ACK and the data only", len(out))
	}
	if d.held != 1 || d.coalesced != 1 || d.expired != 0 {
		t.Errorf("held %d coalesced %d expired %d", d.held, d.coalesced, d.expired)
	}
}

func TestAckDelayEverySecondSegment(t *testing.T) {
	d, _ := newTestDelay()
	defer d.stop()
	out := run(d,
		tcpFrameBytes(1, header.TCPFlagAck, 100, 0, nil), // unknown flow: sent
		tcpFrameBytes(1, header.TCPFlagAck, 200, 0, nil), // held
		tcpFrameBytes(1, header.TCPFlagAck, 300, 0, nil), // replaces it, sent
		tcpFrameBytes(1, header.TCPFlagAck, 400, 0, nil), // held again
	)
	if len(out) != 2 || ackOf(t, out[0]) != 100 || ackOf(t, out[1]) != 300 {
		t.Fatalf("sent %d frames", len(out))
	}
	if d.held != 2 || d.coalesced != 1 {
		t.Errorf("held %d coalesced %d", d.held, d.coalesced)
	}
}

// Only ACKs that move the acknowledgement forward are held: duplicate
// ACKs, window updates and ACKs with SACK blocks tell the peer something
// and go at once; so do frames of other flows and protocols.
func TestAckDelayPassesSignals(t *testing.T) {
	d, _ := newTestDelay()
	defer d.stop()
	sack := []byte{header.TCPOptionNOP, header.TCPOptionNOP, header.TCPOptionSACK, 10, 0, 0, 0, 1, 0, 0, 0, 2}
	arp := make([]byte, 42)
	header.Ethernet(arp).Encode(&header.EthernetFields{Type: header.ARPProtocolNumber})
	in := [][]byte{
		tcpFrameBytes(1, header.TCPFlagAck, 100, 0, nil),
		tcpFrameBytes(1, header.TCPFlagAck, 100, 0, nil),  // duplicate
		tcpFrameBytes(1, header.TCPFlagAck, 200, 0, sack), // SACK block
		tcpFrameBytes(2, header.TCPFlagAck, 200, 0, nil),  // another flow, unknown
		arp,
		tcpFrameBytes(1, header.TCPFlagFin|header.TCPFlagAck, 200, 0, nil),
	}
	if out := run(d, in...); len(out) != len(in) || d.held != 0 {
		t.Fatalf("sent %d of %d frames, held %d", len(out), len(in), d.held)
	}
}

// A held ACK that the flow's next frame does not carry goes out before it.
func TestAckDelayOrder(t *testing.T) {
	d, _ := newTestDelay()
	defer d.stop()
	out := run(d,
		tcpFrameBytes(1, header.TCPFlagAck, 100, 0, nil),
		tcpFrameBytes(1, header.TCPFlagAck, 200, 0, nil), // held
		tcpFrameBytes(1, header.TCPFlagRst, 0, 0, nil),   // no ACK flag
	)
	if len(out) != 3 || ackOf(t, out[1]) != 200 || out[2].Len() == 0 {
		t.Fatalf("sent %d frames", len(out))
	}
	if d.coalesced != 0 {
		t.Errorf("coalesced %d", d.coalesced)
	}
}

func TestAckDelayExpires(t *testing.T) {
	d, sent := newTestDelay()
	defer d.stop()
	if out := run(d, tcpFrameBytes(1, header.TCPFlagAck, 100, 0, nil), tcpFrameBytes(1, header.TCPFlagAck, 200, 0, nil)); len(out) != 1 {
		t.Fatalf("sent %d frames, want 1 (the second held)", len(out))
	}
	start := time.Now()
	select {
	case f := <-sent:
		if len(f) != 1 || ackOf(t, f[0]) != 200 {
			t.Fatalf("timer sent %d frames", len(f))
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the held ACK never went out")
	}
	if waited := time.Since(start); waited < ackDelayMax/2 {
		t.Errorf("held only %v", waited)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.expired != 1 || d.flows[flowOf(t, 1)].held {
		t.Errorf("expired %d", d.expired)
	}
}

func flowOf(t *testing.T, port uint16) flowKey {
	f := frameOf(tcpFrameBytes(port, header.TCPFlagAck, 0, 0, nil))
	p, _ := parseTCP(&f)
	return p.key
}

// The flows remembered stay bounded.
func TestAckDelayFlowBound(t *testing.T) {
	d, _ := newTestDelay()
	defer d.stop()
	for port := range uint16(3 * ackFlows) {
		run(d, tcpFrameBytes(port, header.TCPFlagAck, 1, 0, nil))
	}
	if len(d.flows) > ackFlows {
		t.Errorf("%d flows remembered", len(d.flows))
	}
}
