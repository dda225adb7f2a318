package net

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"gvisor.dev/gvisor/pkg/tcpip/header"

	"warren.dev/drivers/ether"
	"warren.dev/net/link"
	"warren.dev/net/link/memnic"
)

// TestSLAAC: B advertises itself as a router for fd00:1::/64; A, with no
// configured address, forms a SLAAC address, learns the router and the
// DNS server, and reaches B's address in that prefix through NDP.
func TestSLAAC(t *testing.T) {
	na, nb := memnic.Pair(memnic.Options{}, memnic.Options{})
	a, err := Start(Config{}, []link.NIC{na})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := Start(Config{NoDAD: true, Interfaces: []Interface{{
		Addrs: []netip.Prefix{netip.MustParsePrefix("fd00:1::2/64")},
	}}}, []link.NIC{nb})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	echoServer(t, b, 7)

	var bLinkLocal netip.Addr
	waitFor(t, "B's link-local address", func() bool {
		for _, p := range b.Live().Interfaces[1].Addrs {
			if p.Addr().IsLinkLocalUnicast() {
				bLinkLocal = p.Addr()
				return true
			}
		}
		return false
	})
	// B's stack sends no advertisements itself: the test sends one from
	// B's NIC, as a router on that link would.
	prefix := netip.MustParsePrefix("fd00:1::/64")
	dns := netip.MustParseAddr("fd00:1::53")
	ra := ethFrame([6]byte{0x33, 0x33, 0, 0, 0, 1}, nb.MAC(), header.IPv6ProtocolNumber, routerAdvert(bLinkLocal, prefix, dns))
	if _, err := nb.Transmit([]ether.Frame{{Data: [][]byte{ra}}}); err != nil {
		t.Fatal(err)
	}

	var slaac netip.Addr
	waitFor(t, "a SLAAC address, the router and the DNS server", func() bool {
		live := a.Live()
		for _, p := range live.Interfaces[1].Addrs {
			if prefix.Contains(p.Addr()) {
				slaac = p.Addr()
			}
		}
		return slaac.IsValid() && live.Gateway(false) == bLinkLocal && len(live.DNS) == 1 && live.DNS[0] == dns
	})
	t.Logf("A:\n%s", a.Live())

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// The new address is tentative until duplicate address detection,
	// about a second, is over.
	waitFor(t, "a ping over the SLAAC prefix", func() bool {
		_, err = a.Ping(ctx, netip.MustParseAddr("fd00:1::2"), 1, []byte("ndp"))
		return err == nil
	})
	if _, err := a.Ping(ctx, bLinkLocal.WithZone("eth0"), 2, []byte("link-local")); err != nil {
		t.Fatalf("ping B's link-local address: %v", err)
	}
	echoRoundTrip(t, a, netip.MustParseAddrPort("[fd00:1::2]:7"), 1<<16)
	if st := a.Stats().ICMP; st.RouterAdverts6 != 1 {
		t.Errorf("router adverts received = %d", st.RouterAdverts6)
	}
}
