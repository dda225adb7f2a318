package net

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/netip"
	"time"

	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/header"
	"gvisor.dev/gvisor/pkg/tcpip/transport/icmp"
	"gvisor.dev/gvisor/pkg/waiter"
)

// Ping sends one ICMP or ICMPv6 echo request to dst over a ping socket
// and waits for the matching reply. It returns the round-trip time.
func (s *Stack) Ping(ctx context.Context, dst netip.Addr, seq uint16, payload []byte) (time.Duration, error) {
	if s.proto&ProtoICMP == 0 {
		return 0, errors.New("net: ping: ICMP sockets are not enabled")
	}
	fa, netProto, err := s.peerAddr("ip", netip.AddrPortFrom(dst, 0))
	if err != nil {
		return 0, err
	}
	transProto, echo, reply := icmp.ProtocolNumber4, uint8(header.ICMPv4Echo), uint8(header.ICMPv4EchoReply)
	if netProto == header.IPv6ProtocolNumber {
		transProto, echo, reply = icmp.ProtocolNumber6, uint8(header.ICMPv6EchoRequest), uint8(header.ICMPv6EchoReply)
	}

	var wq waiter.Queue
	ep, terr := s.ns.NewEndpoint(transProto, netProto, &wq)
	if terr != nil {
		return 0, fmt.Errorf("net: ping: %s", terr)
	}
	defer ep.Close()
	entry, readable := waiter.NewChannelEntry(waiter.ReadableEvents)
	wq.EventRegister(&entry)
	defer wq.EventUnregister(&entry)

	// Type, code, checksum, identifier, sequence; the ping socket fills in
	// the identifier and the checksum.
	msg := make([]byte, 8+len(payload))
	msg[0] = echo
	msg[6], msg[7] = byte(seq>>8), byte(seq)
	copy(msg[8:], payload)
	start := time.Now()
	if _, terr := ep.Write(bytes.NewReader(msg), tcpip.WriteOptions{To: &fa}); terr != nil {
		return 0, fmt.Errorf("net: ping %s: %s", dst, terr)
	}
	for {
		var buf bytes.Buffer
		_, terr := ep.Read(&buf, tcpip.ReadOptions{})
		switch terr.(type) {
		case nil:
			b := buf.Bytes()
			if len(b) >= 8 && b[0] == reply && uint16(b[6])<<8|uint16(b[7]) == seq && bytes.Equal(b[8:], payload) {
				return time.Since(start), nil
			}
			continue
		case *tcpip.ErrWouldBlock:
		default:
			return 0, fmt.Errorf("net: ping %s: %s", dst, terr)
		}
		select {
		case <-ctx.Done():
			return 0, fmt.Errorf("net: ping %s: %w", dst, ctx.Err())
		case <-readable:
		}
	}
}
