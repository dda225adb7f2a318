package link

import (
	"testing"

	"warren.dev/drivers/ether"
)

// nicStub is a NIC with the given features that sends nothing.
type nicStub ether.Features

func (n nicStub) MAC() [6]byte                          { return [6]byte{2, 0, 0, 0, 0, 1} }
func (n nicStub) MTU() int                              { return 1500 }
func (n nicStub) LinkUp() bool                          { return true }
func (n nicStub) Features() ether.Features              { return ether.Features(n) }
func (n nicStub) SetReceiver(func(ether.Frame))         {}
func (n nicStub) Transmit(f []ether.Frame) (int, error) { return len(f), nil }
func (n nicStub) Close() error                          { return nil }

// A frame longer than the MTU is malformed unless the device coalesced
// it (a GSO type) and the endpoint takes coalesced frames; even then it
// is bounded by the largest IP packet.
func TestReceiveFrameBounds(t *testing.T) {
	for _, tc := range []struct {
		name      string
		feats     ether.Features
		size      int
		gso       ether.GSOType
		malformed bool
	}{
		{"MTU-sized", 0, 1514, ether.GSONone, false},
		{"over the MTU", ether.FeatureRXGSO, 1600, ether.GSONone, true},
		{"coalesced, not taken", 0, 9000, ether.GSOTCPv4, true},
		{"coalesced", ether.FeatureRXGSO, 9000, ether.GSOTCPv4, false},
		{"coalesced, largest", ether.FeatureRXGSO, maxCoalesced, ether.GSOTCPv6, false},
		{"coalesced, too long", ether.FeatureRXGSO, maxCoalesced + 1, ether.GSOTCPv4, true},
	} {
		e := New(nicStub(tc.feats), Options{})
		e.receive(ether.Frame{Data: [][]byte{make([]byte, tc.size)}, GSOType: tc.gso})
		c := e.Counters()
		if got := c.RxMalformed == 1; got != tc.malformed {
			t.Errorf("%s: counters %+v, want malformed %v", tc.name, c, tc.malformed)
		}
	}
}
