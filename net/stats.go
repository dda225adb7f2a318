package net

import (
	"fmt"
	stdnet "net"
	"reflect"
	"slices"
	"strings"

	"gvisor.dev/gvisor/pkg/tcpip"

	"warren.dev/net/link"
)

// Stats are the stack's counters: per NIC (the link endpoint's and
// netstack's), then per protocol.
type Stats struct {
	NICs []NICStats
	IP   IPStats // IPv4 and IPv6 together
	TCP  TCPStats
	UDP  UDPStats
	ICMP ICMPStats
	ARP  ARPStats
	// DroppedPackets counts packets netstack dropped for any reason.
	DroppedPackets uint64
}

// NICStats are one interface's counters.
type NICStats struct {
	Name  string
	Index int
	MAC   stdnet.HardwareAddr
	MTU   int
	// Link counts frames at the driver boundary; zero for loopback.
	Link link.Counters
	// Netstack's view of the same interface.
	RxPackets, RxBytes, TxPackets, TxBytes uint64
	MalformedL4Received, TxNoBufferSpace   uint64
}

// IPStats count IP packets.
type IPStats struct {
	PacketsReceived, PacketsDelivered, PacketsSent    uint64
	MalformedPacketsReceived, MalformedFragments      uint64
	InvalidDestinationsReceived, OutgoingPacketErrors uint64
}

// TCPStats count TCP segments and connections.
type TCPStats struct {
	ActiveOpens, PassiveOpens, CurrentEstablished, FailedAttempts uint64
	EstablishedResets, ResetsSent, ResetsReceived, ListenDrops    uint64
	SegmentsReceived, InvalidSegments, SegmentsSent               uint64
	Retransmits, Timeouts, ChecksumErrors                         uint64
}

// UDPStats count UDP datagrams.
type UDPStats struct {
	PacketsReceived, PacketsSent, UnknownPortErrors uint64
	ReceiveBufferErrors, Malformed, ChecksumErrors  uint64
}

// ICMPStats count echo traffic and errors, IPv4 and IPv6 apart.
type ICMPStats struct {
	EchoRequestsReceived4, EchoRepliesReceived4, DstUnreachableSent4 uint64
	EchoRequestsReceived6, EchoRepliesReceived6, DstUnreachableSent6 uint64
	NeighborSolicits6, NeighborAdverts6, RouterAdverts6              uint64
}

// ARPStats count ARP traffic.
type ARPStats struct {
	RequestsReceived, RepliesReceived, RequestsSent, RepliesSent, Malformed uint64
}

// Stats returns a snapshot of the counters.
func (s *Stack) Stats() Stats {
	st := s.ns.Stats()
	out := Stats{DroppedPackets: st.DroppedPackets.Value()}
	for id, info := range s.ns.NICInfo() {
		n := NICStats{
			Name:                info.Name,
			Index:               int(id),
			MAC:                 stdnet.HardwareAddr([]byte(info.LinkAddress)),
			MTU:                 int(info.MTU),
			RxPackets:           info.Stats.Rx.Packets.Value(),
			RxBytes:             info.Stats.Rx.Bytes.Value(),
			TxPackets:           info.Stats.Tx.Packets.Value(),
			TxBytes:             info.Stats.Tx.Bytes.Value(),
			MalformedL4Received: info.Stats.MalformedL4RcvdPackets.Value(),
			TxNoBufferSpace:     info.Stats.TxPacketsDroppedNoBufferSpace.Value(),
		}
		if ns := s.nicByID(id); ns != nil {
			n.Link = ns.ep.Counters()
		}
		out.NICs = append(out.NICs, n)
	}
	slices.SortFunc(out.NICs, func(a, b NICStats) int { return a.Index - b.Index })

	ip := st.IP
	out.IP = IPStats{
		PacketsReceived:             ip.PacketsReceived.Value(),
		PacketsDelivered:            ip.PacketsDelivered.Value(),
		PacketsSent:                 ip.PacketsSent.Value(),
		MalformedPacketsReceived:    ip.MalformedPacketsReceived.Value(),
		MalformedFragments:          ip.MalformedFragmentsReceived.Value(),
		InvalidDestinationsReceived: ip.InvalidDestinationAddressesReceived.Value(),
		OutgoingPacketErrors:        ip.OutgoingPacketErrors.Value(),
	}
	t := st.TCP
	out.TCP = TCPStats{
		ActiveOpens:        t.ActiveConnectionOpenings.Value(),
		PassiveOpens:       t.PassiveConnectionOpenings.Value(),
		CurrentEstablished: t.CurrentEstablished.Value(),
		FailedAttempts:     t.FailedConnectionAttempts.Value(),
		EstablishedResets:  t.EstablishedResets.Value(),
		ResetsSent:         t.ResetsSent.Value(),
		ResetsReceived:     t.ResetsReceived.Value(),
		ListenDrops:        t.ListenOverflowSynDrop.Value() + t.ListenOverflowAckDrop.Value(),
		SegmentsReceived:   t.ValidSegmentsReceived.Value(),
		InvalidSegments:    t.InvalidSegmentsReceived.Value(),
		SegmentsSent:       t.SegmentsSent.Value(),
		Retransmits:        t.Retransmits.Value(),
		Timeouts:           t.Timeouts.Value(),
		ChecksumErrors:     t.ChecksumErrors.Value(),
	}
	u := st.UDP
	out.UDP = UDPStats{
		PacketsReceived:     u.PacketsReceived.Value(),
		PacketsSent:         u.PacketsSent.Value(),
		UnknownPortErrors:   u.UnknownPortErrors.Value(),
		ReceiveBufferErrors: u.ReceiveBufferErrors.Value(),
		Malformed:           u.MalformedPacketsReceived.Value(),
		ChecksumErrors:      u.ChecksumErrors.Value(),
	}
	v4, v6 := st.ICMP.V4, st.ICMP.V6
	out.ICMP = ICMPStats{
		EchoRequestsReceived4: v4.PacketsReceived.EchoRequest.Value(),
		EchoRepliesReceived4:  v4.PacketsReceived.EchoReply.Value(),
		DstUnreachableSent4:   v4.PacketsSent.DstUnreachable.Value(),
		EchoRequestsReceived6: v6.PacketsReceived.EchoRequest.Value(),
		EchoRepliesReceived6:  v6.PacketsReceived.EchoReply.Value(),
		DstUnreachableSent6:   v6.PacketsSent.DstUnreachable.Value(),
		NeighborSolicits6:     v6.PacketsReceived.NeighborSolicit.Value(),
		NeighborAdverts6:      v6.PacketsReceived.NeighborAdvert.Value(),
		RouterAdverts6:        v6.PacketsReceived.RouterAdvert.Value(),
	}
	a := st.ARP
	out.ARP = ARPStats{
		RequestsReceived: a.RequestsReceived.Value(),
		RepliesReceived:  a.RepliesReceived.Value(),
		RequestsSent:     a.OutgoingRequestsSent.Value(),
		RepliesSent:      a.OutgoingRepliesSent.Value(),
		Malformed:        a.MalformedPacketsReceived.Value(),
	}
	return out
}

// String renders the counters as text for a stats page, one group a line.
func (st Stats) String() string {
	var b strings.Builder
	for _, n := range st.NICs {
		fmt.Fprintf(&b, "%s (%d) mtu %d %s\n", n.Name, n.Index, n.MTU, n.MAC)
		fmt.Fprintf(&b, "  stack: rx %d pkts %d bytes, tx %d pkts %d bytes, malformed L4 %d, tx no buffer %d\n",
			n.RxPackets, n.RxBytes, n.TxPackets, n.TxBytes, n.MalformedL4Received, n.TxNoBufferSpace)
		if n.Link != (link.Counters{}) {
			l := n.Link
			fmt.Fprintf(&b, "  link:  rx %d frames %d bytes, dropped %d, malformed %d; tx %d frames %d bytes, dropped %d, errors %d, soft-segmented %d\n",
				l.RxPackets, l.RxBytes, l.RxDropped, l.RxMalformed, l.TxPackets, l.TxBytes, l.TxDropped, l.TxErrors, l.TxSegmented)
		}
	}
	writeFields(&b, "ip", st.IP)
	writeFields(&b, "tcp", st.TCP)
	writeFields(&b, "udp", st.UDP)
	writeFields(&b, "icmp", st.ICMP)
	writeFields(&b, "arp", st.ARP)
	fmt.Fprintf(&b, "dropped packets: %d\n", st.DroppedPackets)
	return b.String()
}

// writeFields prints a flat struct of counters as "name: field=value ...".
func writeFields(b *strings.Builder, name string, v any) {
	rv := reflect.ValueOf(v)
	b.WriteString(name + ":")
	for i := range rv.NumField() {
		fmt.Fprintf(b, " %s=%d", rv.Type().Field(i).Name, rv.Field(i).Uint())
	}
	b.WriteByte('\n')
}

// AllCounters lists every non-zero netstack counter by its path, for
// debugging what the summary in Stats leaves out.
func (s *Stack) AllCounters() map[string]uint64 {
	out := map[string]uint64{}
	s.EachCounter(func(path string, v uint64) {
		if v != 0 {
			out[path] = v
		}
	})
	return out
}

// EachCounter calls fn with every netstack counter (tcpip.Stats), zero
// or not, by its path of field names ("TCP.Retransmits",
// "IP.PacketsReceived"; an embedded struct adds no name), in field order.
func (s *Stack) EachCounter(fn func(path string, v uint64)) {
	walkCounters(reflect.ValueOf(s.ns.Stats()), "", fn)
}

func walkCounters(v reflect.Value, path string, fn func(string, uint64)) {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return
		}
		if c, ok := v.Interface().(*tcpip.StatCounter); ok {
			fn(path, c.Value())
			return
		}
		walkCounters(v.Elem(), path, fn)
	case reflect.Struct:
		for i := range v.NumField() {
			f := v.Type().Field(i)
			if !f.IsExported() {
				continue
			}
			p := f.Name
			switch {
			case f.Anonymous: // embedded: its fields are the outer struct's
				p = path
			case path != "":
				p = path + "." + f.Name
			}
			walkCounters(v.Field(i), p, fn)
		}
	}
}
