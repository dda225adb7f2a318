package net

import (
	"context"
	"testing"
	"time"

	"warren.dev/net/link/memnic"
)

// TestEachCounter lists netstack's counters, zero ones included, and
// finds a ping's echo request among them; AllCounters keeps the non-zero.
func TestEachCounter(t *testing.T) {
	a, b := twoStacks(t, memnic.Options{}, memnic.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := a.Ping(ctx, addrB, 1, nil); err != nil {
		t.Fatal(err)
	}
	all := map[string]uint64{}
	b.EachCounter(func(path string, v uint64) {
		if _, dup := all[path]; dup {
			t.Errorf("%s listed twice", path)
		}
		all[path] = v
	})
	for _, name := range []string{"TCP.Retransmits", "TCP.Timeouts", "TCP.SlowStartRetransmits", "TCP.FastRetransmit", "TCP.SegmentsSent"} {
		if _, ok := all[name]; !ok {
			t.Errorf("no counter %s", name)
		}
	}
	if all["ICMP.V4.PacketsReceived.EchoRequest"] == 0 {
		t.Errorf("ICMP.V4.PacketsReceived.EchoRequest = 0 after a ping")
	}
	nonzero := b.AllCounters()
	for path, v := range all {
		if got, ok := nonzero[path]; ok != (v != 0) || ok && got != v {
			t.Errorf("AllCounters[%s] = %d, %v; EachCounter says %d", path, got, ok, v)
		}
	}
}
