package net

import (
	"context"
	"testing"
	"time"

	"warren.dev/drivers/ether"
	"warren.dev/net/link"
	"warren.dev/net/link/memnic"
)

// fullRing is a NIC whose transmit ring never has room.
type fullRing struct{ *memnic.NIC }

func (fullRing) Transmit(frames []ether.Frame) (int, error) { return 0, nil }

func TestTransmitDropsCounted(t *testing.T) {
	na, nb := memnic.Pair(memnic.Options{}, memnic.Options{})
	defer nb.Close()
	a, err := Start(staticConfig(addrA, addrA6), []link.NIC{fullRing{na}})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if _, err := a.Ping(ctx, addrB, 1, nil); err == nil {
		t.Fatal("ping through a full ring succeeded")
	}
	st := a.Stats().NICs[1]
	if st.Link.TxDropped == 0 || st.Link.TxPackets != 0 || st.TxNoBufferSpace == 0 {
		t.Errorf("link %+v, stack no-buffer drops %d", st.Link, st.TxNoBufferSpace)
	}
}

func TestDetachedEndpointDrops(t *testing.T) {
	na, nb := memnic.Pair(memnic.Options{}, memnic.Options{})
	defer nb.Close()
	ep := link.New(na, link.Options{Name: "eth9"})
	defer ep.Close()
	frame := ethFrame(na.MAC(), nb.MAC(), 0x0800, make([]byte, 40))
	nb.Transmit([]ether.Frame{{Data: [][]byte{frame}}, {Data: [][]byte{frame[:5]}}})
	waitFor(t, "the frames", func() bool {
		c := ep.Counters()
		return c.RxDropped == 1 && c.RxMalformed == 1
	})
	if ep.IsAttached() || ep.Name() != "eth9" || ep.HardwareAddr().String() == "" {
		t.Errorf("endpoint state: attached %v, name %q", ep.IsAttached(), ep.Name())
	}
}
