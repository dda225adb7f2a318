package net

import (
	"net/netip"
	"testing"
)

// TestLoopbackIPv6Bind binds to ::1 right after start: duplicate address
// detection must not hold the loopback address tentative.
func TestLoopbackIPv6Bind(t *testing.T) {
	s, err := Start(Config{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	l, err := s.ListenTCP(netip.MustParseAddrPort("[::1]:0"))
	if err != nil {
		t.Fatal(err)
	}
	l.Close()
}
