package net

import (
	"context"
	"fmt"
	"io"
	"net/netip"
	"runtime"
	"testing"
	"time"

	"warren.dev/net/link"
	"warren.dev/net/link/memnic"
)

// TestShutdownNoLeak runs traffic of every kind, closes both stacks and
// checks that every goroutine they started has ended.
func TestShutdownNoLeak(t *testing.T) {
	runtime.GC()
	before := runtime.NumGoroutine()
	func() {
		na, nb := memnic.Pair(offloads, offloads)
		b, err := Start(staticConfig(addrB, addrB6), []link.NIC{nb})
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		a, err := Start(Config{TXQueue: 64, Interfaces: []Interface{{Addrs: []netip.Prefix{netip.MustParsePrefix("10.0.0.1/24")}}}}, []link.NIC{na})
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()

		ln, err := b.ListenTCP(netip.MustParseAddrPort("0.0.0.0:7"))
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		go func() {
			defer close(done)
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				go func() { io.Copy(c, c); c.Close() }()
			}
		}()
		echoRoundTrip(t, a, netip.MustParseAddrPort("10.0.0.2:7"), 1<<20)
		// A connection left open at Close is aborted, not leaked.
		open, err := a.DialTCP(context.Background(), netip.AddrPort{}, netip.MustParseAddrPort("10.0.0.2:7"))
		if err != nil {
			t.Fatal(err)
		}
		defer open.Close()
		if _, err := a.Ping(context.Background(), addrB, 1, nil); err != nil {
			t.Fatal(err)
		}
		ln.Close()
		<-done
	}()

	deadline := time.Now().Add(10 * time.Second)
	for {
		n := runtime.NumGoroutine()
		if n <= before {
			break
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines before, %d after closing:\n%s", before, n, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestConfigurations: the protocols and NICs come from the Config.
func TestConfigurations(t *testing.T) {
	t.Run("udp-only", func(t *testing.T) {
		cfg := func(a netip.Addr) Config {
			return Config{Protocols: ProtoIPv4 | ProtoUDP, NoLoopback: true,
				Interfaces: []Interface{{Addrs: []netip.Prefix{netip.PrefixFrom(a, 24)}}}}
		}
		a, b := twoStacksConfig(t, memnic.Options{}, memnic.Options{}, cfg(addrA), cfg(addrB))
		udpEchoServer(t, b, 7)
		c, err := a.DialUDP(netip.AddrPort{}, netip.AddrPortFrom(addrB, 7))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(5 * time.Second))
		c.Write([]byte("udp only"))
		buf := make([]byte, 100)
		if n, err := c.Read(buf); err != nil || string(buf[:n]) != "udp only" {
			t.Errorf("echo: %q, %v", buf[:n], err)
		}
		if _, err := a.ListenTCP(netip.MustParseAddrPort("0.0.0.0:80")); err == nil {
			t.Errorf("TCP listen on a UDP-only stack succeeded")
		}
		if _, err := a.ListenUDP(netip.MustParseAddrPort("[fd00::1]:80")); err == nil {
			t.Errorf("IPv6 listen on an IPv4-only stack succeeded")
		}
		if len(a.Live().Interfaces) != 1 {
			t.Errorf("loopback present: %v", a.Live())
		}
	})
	t.Run("two-nics", func(t *testing.T) {
		a0, b := memnic.Pair(memnic.Options{}, memnic.Options{})
		a1, c := memnic.Pair(memnic.Options{}, memnic.Options{})
		a, err := Start(Config{Interfaces: []Interface{
			{Addrs: []netip.Prefix{netip.MustParsePrefix("10.0.0.1/24")}},
			{Name: "uplink", Addrs: []netip.Prefix{netip.MustParsePrefix("10.1.0.1/24")}},
		}}, []link.NIC{a0, a1})
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		for i, nic := range []*memnic.NIC{b, c} {
			s, err := Start(Config{Interfaces: []Interface{{Addrs: []netip.Prefix{netip.MustParsePrefix(fmt.Sprintf("10.%d.0.2/24", i))}}}}, []link.NIC{nic})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			echoServer(t, s, 7)
			echoRoundTrip(t, a, netip.MustParseAddrPort(fmt.Sprintf("10.%d.0.2:7", i)), 1<<16)
		}
		st := a.Stats()
		if len(st.NICs) != 3 || st.NICs[2].Name != "uplink" || st.NICs[1].Link.TxPackets == 0 || st.NICs[2].Link.TxPackets == 0 {
			t.Errorf("stats: %v", st)
		}
	})
}

func mib(n uint64) float64 { return float64(n) / (1 << 20) }

// TestConnectionChurn opens and closes 10,000 connections; the heap in use
// after garbage collection must not grow with them.
func TestConnectionChurn(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	cfg := func(a, a6 netip.Addr) Config {
		c := staticConfig(a, a6)
		c.TCPTimeWait = time.Second
		return c
	}
	a, b := twoStacksConfig(t, offloads, offloads, cfg(addrA, addrA6), cfg(addrB, addrB6))
	echoServer(t, b, 7)
	dst := netip.AddrPortFrom(addrB, 7)
	msg := []byte("churn")
	churn := func(n int) {
		buf := make([]byte, len(msg))
		for range n {
			c, err := a.DialTCP(context.Background(), netip.AddrPort{}, dst)
			if err != nil {
				t.Fatal(err)
			}
			c.SetDeadline(time.Now().Add(10 * time.Second))
			if _, err := c.Write(msg); err != nil {
				t.Fatal(err)
			}
			if _, err := io.ReadFull(c, buf); err != nil {
				t.Fatal(err)
			}
			c.Close()
		}
	}
	heap := func() uint64 {
		// Let TIME-WAIT end and closed endpoints be reaped first.
		time.Sleep(2 * time.Second)
		runtime.GC()
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapInuse
	}
	start := time.Now()
	churn(1000) // warm the pools
	h1 := heap()
	churn(4500)
	h2 := heap()
	churn(4500)
	h3 := heap()
	t.Logf("10,000 connections in %v; HeapInuse after 1,000: %.2f MiB, 5,500: %.2f MiB, 10,000: %.2f MiB; established now %d",
		time.Since(start)-6*time.Second, mib(h1), mib(h2), mib(h3), a.Stats().TCP.CurrentEstablished)
	// Flat: the second half of the churn adds no more than noise.
	if h3 > h2+1<<20 || h3 > h1+2<<20 {
		t.Errorf("heap grows with connections: %.2f, %.2f, %.2f MiB", mib(h1), mib(h2), mib(h3))
	}
}
