package net

import (
	"errors"
	stdnet "net"
	"net/netip"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"
	"github.com/insomniacslk/dhcp/dhcpv4/server4"

	"warren.dev/net/link"
	"warren.dev/net/link/memnic"
)

// dhcpServer serves one address, 10.0.0.50/24, from stack s (10.0.0.1).
type dhcpServer struct {
	acks, renewals atomic.Int32
}

func (d *dhcpServer) handle(conn stdnet.PacketConn, peer stdnet.Addr, m *dhcpv4.DHCPv4) {
	var typ dhcpv4.MessageType
	switch m.MessageType() {
	case dhcpv4.MessageTypeDiscover:
		typ = dhcpv4.MessageTypeOffer
	case dhcpv4.MessageTypeRequest:
		typ = dhcpv4.MessageTypeAck
		d.acks.Add(1)
		if !m.ClientIPAddr.IsUnspecified() {
			d.renewals.Add(1)
		}
	default:
		return
	}
	server := stdnet.IPv4(10, 0, 0, 1)
	reply, err := dhcpv4.NewReplyFromRequest(m,
		dhcpv4.WithMessageType(typ),
		dhcpv4.WithYourIP(stdnet.IPv4(10, 0, 0, 50)),
		dhcpv4.WithServerIP(server),
		dhcpv4.WithOption(dhcpv4.OptServerIdentifier(server)),
		dhcpv4.WithNetmask(stdnet.CIDRMask(24, 32)),
		dhcpv4.WithOption(dhcpv4.OptRouter(server)),
		dhcpv4.WithOption(dhcpv4.OptDNS(stdnet.IPv4(10, 0, 0, 53), stdnet.IPv4(10, 0, 0, 54))),
		dhcpv4.WithLeaseTime(2), // renewal at T1 = 1 s
	)
	if err != nil {
		return
	}
	conn.WriteTo(reply.ToBytes(), peer)
}

// startDHCPServer starts a stack at 10.0.0.1 on nic with a DHCP server
// on it; both stop when the test ends.
func startDHCPServer(t *testing.T, nic link.NIC) (*Stack, *dhcpServer) {
	t.Helper()
	st, err := Start(Config{Interfaces: []Interface{{Addrs: []netip.Prefix{netip.MustParsePrefix("10.0.0.1/24")}}}}, []link.NIC{nic})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	conn, err := st.ListenUDPBroadcast(netip.MustParseAddrPort("0.0.0.0:67"), "eth0")
	if err != nil {
		t.Fatal(err)
	}
	d := new(dhcpServer)
	srv, err := server4.NewServer("", nil, d.handle, server4.WithConn(conn))
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve()
	t.Cleanup(func() { srv.Close() })
	return st, d
}

func TestDHCP(t *testing.T) {
	na, nb := memnic.Pair(memnic.Options{}, memnic.Options{})
	srvStack, d := startDHCPServer(t, nb)
	echoServer(t, srvStack, 7)

	cfg, err := ParseConfig([]string{"console=ttyS0", "ip=dhcp", "dns=9.9.9.9"})
	if err != nil {
		t.Fatal(err)
	}
	cfg.DHCPTimeout = 10 * time.Second
	start := time.Now()
	c, err := Start(cfg, []link.NIC{na})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	t.Logf("lease in %v", time.Since(start))

	live := c.Live()
	t.Logf("live config:\n%s", live)
	eth := live.Interfaces[1]
	if eth.Lease == nil || eth.Lease.Addr != netip.MustParsePrefix("10.0.0.50/24") {
		t.Fatalf("lease = %+v", eth.Lease)
	}
	if !containsPrefix(eth.Addrs, "10.0.0.50/24") {
		t.Errorf("addresses %v lack the lease", eth.Addrs)
	}
	if gw := live.Gateway(true); gw != netip.MustParseAddr("10.0.0.1") {
		t.Errorf("gateway = %v", gw)
	}
	if got, want := live.ResolvConf(), "nameserver 9.9.9.9\nnameserver 10.0.0.53\nnameserver 10.0.0.54\n"; got != want {
		t.Errorf("resolv.conf = %q, want %q", got, want)
	}
	echoRoundTrip(t, c, netip.MustParseAddrPort("10.0.0.1:7"), 1<<16)

	// The lease is renewed at T1 and stays in place.
	waitFor(t, "a renewal", func() bool { return d.renewals.Load() >= 2 })
	if eth := c.Live().Interfaces[1]; eth.Lease == nil || !containsPrefix(eth.Addrs, "10.0.0.50/24") {
		t.Errorf("after renewal: %+v", eth)
	}
	echoRoundTrip(t, c, netip.MustParseAddrPort("10.0.0.1:7"), 1<<16)
}

// TestDHCPTimeout starts a stack on a link where no DHCP server answers:
// Start waits the configured time, not less, says so through Warn and
// returns a working stack whose interface has no IPv4 address. Its client
// keeps asking, so a server that comes up later still configures it.
func TestDHCPTimeout(t *testing.T) {
	na, nb := memnic.Pair(memnic.Options{}, memnic.Options{})
	var warnings []error
	cfg, err := ParseConfig([]string{"ip=dhcp", "dhcp_timeout=300ms"})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Warn = func(err error) { warnings = append(warnings, err) }
	start := time.Now()
	c, err := Start(cfg, []link.NIC{na})
	waited := time.Since(start)
	if err != nil {
		nb.Close()
		t.Fatalf("Start without a DHCP server: %v", err)
	}
	defer c.Close()
	if waited < 300*time.Millisecond {
		t.Errorf("Start gave up after %v, before the 300ms configured", waited)
	}
	const want = "net: eth0: DHCP got no answer in 300ms; going on without an IPv4 address, still asking"
	if len(warnings) != 1 || !errors.Is(warnings[0], ErrNoDHCPAnswer) || warnings[0].Error() != want {
		t.Fatalf("warnings %q, want [%q]", warnings, want)
	}
	eth := c.Live().Interfaces[1]
	if eth.Lease != nil || slices.ContainsFunc(eth.Addrs, func(p netip.Prefix) bool { return p.Addr().Is4() }) {
		t.Errorf("eth0 without a lease: %+v", eth)
	}
	echoServer(t, c, 7)
	echoRoundTrip(t, c, netip.MustParseAddrPort("127.0.0.1:7"), 1<<10)

	// A server on the link now: the client's next DISCOVER gets a lease.
	startDHCPServer(t, nb)
	waitFor(t, "a late lease", func() bool {
		l := c.Live().Interfaces[1].Lease
		return l != nil && l.Addr == netip.MustParsePrefix("10.0.0.50/24")
	})
}

func containsPrefix(ps []netip.Prefix, s string) bool {
	want := netip.MustParsePrefix(s)
	for _, p := range ps {
		if p == want {
			return true
		}
	}
	return false
}
