package qemu_test

import (
	"net"
	"net/netip"

	"golang.org/x/net/dns/dnsmessage"
)

// serveDNS answers A queries for names in records from pc until it is
// closed; other names get NXDOMAIN. It is the test's own DNS server: the
// guest never reaches outside resolvers.
func serveDNS(pc net.PacketConn, records map[string]netip.Addr) {
	buf := make([]byte, 512)
	for {
		n, from, err := pc.ReadFrom(buf)
		if err != nil {
			return
		}
		var p dnsmessage.Parser
		h, err := p.Start(buf[:n])
		if err != nil {
			continue
		}
		q, err := p.Question()
		if err != nil {
			continue
		}
		resp := dnsmessage.NewBuilder(nil, dnsmessage.Header{ID: h.ID, Response: true, Authoritative: true, RecursionDesired: h.RecursionDesired})
		resp.EnableCompression()
		addr, ok := records[q.Name.String()]
		if !ok {
			resp = dnsmessage.NewBuilder(nil, dnsmessage.Header{ID: h.ID, Response: true, RCode: dnsmessage.RCodeNameError})
		}
		resp.StartQuestions()
		resp.Question(q)
		if ok && q.Type == dnsmessage.TypeA && addr.Is4() {
			resp.StartAnswers()
			resp.AResource(dnsmessage.ResourceHeader{Name: q.Name, Class: dnsmessage.ClassINET, TTL: 60}, dnsmessage.AResource{A: addr.As4()})
		}
		msg, err := resp.Finish()
		if err == nil {
			pc.WriteTo(msg, from)
		}
	}
}
