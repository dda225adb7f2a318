package net

import (
	"context"
	"io"
	"net/netip"
	"testing"

	"warren.dev/drivers/ether"
	"warren.dev/net/link/memnic"
)

// BenchmarkTCP measures one-way bulk TCP between two stacks over a memnic
// pair, for NICs with and without offloads.
func BenchmarkTCP(b *testing.B) {
	for _, bc := range []struct {
		name string
		nic  memnic.Options
		cfg  func(*Config)
	}{
		{"mtu1500", memnic.Options{}, func(c *Config) { c.NoGSO = true }},
		{"mtu1500-softgso", memnic.Options{}, nil},
		{"mtu1500-csum", memnic.Options{Features: ether.FeatureTXCsum | ether.FeatureRXCsum}, nil},
		{"mtu1500-tso", offloads, nil},
		{"mtu1500-tso-txqueue", offloads, func(c *Config) { c.TXQueue = 512 }},
		{"mtu9000-tso", memnic.Options{MTU: 9000, Features: offloads.Features}, nil},
	} {
		b.Run(bc.name, func(b *testing.B) {
			ca, cb := staticConfig(addrA, addrA6), staticConfig(addrB, addrB6)
			if bc.cfg != nil {
				bc.cfg(&ca)
				bc.cfg(&cb)
			}
			sa, sb := twoStacksConfig(b, bc.nic, bc.nic, ca, cb)
			ln, err := sb.ListenTCP(netip.AddrPortFrom(addrB, 5001))
			if err != nil {
				b.Fatal(err)
			}
			defer ln.Close()
			got := make(chan int64, 1)
			go func() {
				c, err := ln.Accept()
				if err != nil {
					got <- -1
					return
				}
				n, _ := io.Copy(io.Discard, c)
				c.Close()
				got <- n
			}()
			c, err := sa.DialTCP(context.Background(), netip.AddrPort{}, netip.AddrPortFrom(addrB, 5001))
			if err != nil {
				b.Fatal(err)
			}
			buf := make([]byte, 64<<10)
			b.SetBytes(int64(len(buf)))
			b.ResetTimer()
			for range b.N {
				if _, err := c.Write(buf); err != nil {
					b.Fatal(err)
				}
			}
			c.CloseWrite()
			n := <-got
			b.StopTimer()
			c.Close()
			if n != int64(b.N*len(buf)) {
				b.Fatalf("receiver got %d bytes, want %d", n, b.N*len(buf))
			}
			st := sa.Stats()
			b.ReportMetric(float64(st.TCP.Retransmits), "retransmits")
		})
	}
}
