package net

import (
	"net/netip"
	"testing"

	"warren.dev/drivers/ether"
	"warren.dev/net/link"
	"warren.dev/net/link/memnic"
)

var (
	addrA  = netip.MustParseAddr("10.0.0.1")
	addrB  = netip.MustParseAddr("10.0.0.2")
	addrA6 = netip.MustParseAddr("fd00::1")
	addrB6 = netip.MustParseAddr("fd00::2")
)

// staticConfig gives a stack one NIC with an IPv4 and an IPv6 address.
func staticConfig(v4, v6 netip.Addr) Config {
	return Config{
		NoDAD: true,
		Interfaces: []Interface{{
			Addrs: []netip.Prefix{netip.PrefixFrom(v4, 24), netip.PrefixFrom(v6, 64)},
		}},
	}
}

// twoStacks starts A (10.0.0.1, fd00::1) and B (10.0.0.2, fd00::2) over a
// memnic pair and closes them at the end of the test.
func twoStacks(t testing.TB, oa, ob memnic.Options) (*Stack, *Stack) {
	t.Helper()
	return twoStacksConfig(t, oa, ob, staticConfig(addrA, addrA6), staticConfig(addrB, addrB6))
}

func twoStacksConfig(t testing.TB, oa, ob memnic.Options, ca, cb Config) (*Stack, *Stack) {
	t.Helper()
	na, nb := memnic.Pair(oa, ob)
	a, err := Start(ca, []link.NIC{na})
	if err != nil {
		nb.Close()
		t.Fatalf("start A: %v", err)
	}
	t.Cleanup(func() { a.Close() })
	b, err := Start(cb, []link.NIC{nb})
	if err != nil {
		t.Fatalf("start B: %v", err)
	}
	t.Cleanup(func() { b.Close() })
	return a, b
}

// offloads is a NIC that does everything in hardware.
var offloads = memnic.Options{Features: ether.FeatureTXCsum | ether.FeatureRXCsum | ether.FeatureTSO4 | ether.FeatureTSO6}

// coalescing is a NIC that also takes coalesced frames (virtio-net with
// GUEST_TSO on a tap device): a TSO peer's large segments arrive whole.
var coalescing = memnic.Options{Features: offloads.Features | ether.FeatureRXGSO}

// pairForTest returns one NIC as a slice for Start, and its raw peer.
func pairForTest() ([]link.NIC, *memnic.NIC) {
	a, b := memnic.Pair(memnic.Options{}, memnic.Options{})
	return []link.NIC{a}, b
}
