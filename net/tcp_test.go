package net

import (
	"bytes"
	"context"
	"io"
	"math/rand/v2"
	"net/netip"
	"testing"
	"time"

	"warren.dev/drivers/ether"
	"warren.dev/net/link/memnic"
)

// echoServer accepts connections on s at port and echoes them.
func echoServer(t testing.TB, s *Stack, port uint16) {
	t.Helper()
	ln, err := s.ListenTCP(netip.AddrPortFrom(netip.Addr{}, port))
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				io.Copy(c, c)
			}()
		}
	}()
}

// echoRoundTrip sends n random bytes through an echo server and checks
// that the same bytes come back.
func echoRoundTrip(t testing.TB, c *Stack, dst netip.AddrPort, n int) time.Duration {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	conn, err := c.DialTCP(ctx, netip.AddrPort{}, dst)
	if err != nil {
		t.Fatalf("dial %v: %v", dst, err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(60 * time.Second))

	data := make([]byte, n)
	r := rand.New(rand.NewPCG(uint64(n), 7))
	for i := range data {
		data[i] = byte(r.Uint32())
	}
	start := time.Now()
	errc := make(chan error, 1)
	go func() {
		_, err := conn.Write(data)
		if err == nil {
			err = conn.CloseWrite()
		}
		errc <- err
	}()
	got, err := io.ReadAll(conn)
	if err != nil {
		t.Fatalf("read: %v (got %d bytes)", err, len(got))
	}
	if err := <-errc; err != nil {
		t.Fatalf("write: %v", err)
	}
	elapsed := time.Since(start)
	if !bytes.Equal(got, data) {
		t.Fatalf("echo differs: sent %d bytes, got %d", len(data), len(got))
	}
	return elapsed
}

func TestTCPEcho16MiB(t *testing.T) {
	const size = 16 << 20
	for _, tc := range []struct {
		name string
		nic  memnic.Options
		cfg  func(*Config)
	}{
		{"plain", memnic.Options{}, nil},
		{"offload", offloads, nil},
		{"coalesced", coalescing, nil},
		{"csum-only", memnic.Options{Features: ether.FeatureTXCsum | ether.FeatureRXCsum}, nil},
		{"no-gso", memnic.Options{}, func(c *Config) { c.NoGSO = true }},
		{"txqueue", offloads, func(c *Config) { c.TXQueue = 256 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ca, cb := staticConfig(addrA, addrA6), staticConfig(addrB, addrB6)
			if tc.cfg != nil {
				tc.cfg(&ca)
				tc.cfg(&cb)
			}
			a, b := twoStacksConfig(t, tc.nic, tc.nic, ca, cb)
			echoServer(t, b, 7)
			d := echoRoundTrip(t, a, netip.AddrPortFrom(addrB, 7), size)
			t.Logf("%s: 16 MiB each way in %v (%.0f MB/s each way)", tc.name, d, size/d.Seconds()/1e6)
			if st := a.Stats(); st.TCP.ChecksumErrors != 0 || b.Stats().TCP.ChecksumErrors != 0 {
				t.Errorf("checksum errors: %d, %d", st.TCP.ChecksumErrors, b.Stats().TCP.ChecksumErrors)
			}
		})
	}
}

// A NIC that takes coalesced frames gets TCP segments larger than the MTU
// whole, and the stream arrives intact.
func TestCoalescedReceive(t *testing.T) {
	a, b := twoStacks(t, coalescing, coalescing)
	echoServer(t, b, 7)
	echoRoundTrip(t, a, netip.AddrPortFrom(addrB, 7), 4<<20)
	echoRoundTrip(t, a, netip.AddrPortFrom(addrB6, 7), 1<<20)
	for _, s := range []*Stack{a, b} {
		l := s.Stats().NICs[1].Link
		if l.RxCoalesced == 0 || l.RxMalformed != 0 {
			t.Errorf("link %+v: want coalesced frames and none malformed", l)
		}
	}

}

// Segments that arrive in one batch from a NIC without receive
// coalescing are merged by GRO before TCP sees them: fewer segments reach
// TCP than frames reach the link, and the stream is intact.
func TestGROMergesBatches(t *testing.T) {
	a, b := twoStacks(t, offloads, offloads)
	echoServer(t, b, 7)
	echoRoundTrip(t, a, netip.AddrPortFrom(addrB, 7), 8<<20)
	echoRoundTrip(t, a, netip.AddrPortFrom(addrB6, 7), 2<<20)
	st := b.Stats()
	frames, segs := st.NICs[1].Link.RxPackets, st.TCP.SegmentsReceived
	t.Logf("server: %d frames in, %d TCP segments", frames, segs)
	if segs >= frames {
		t.Errorf("%d segments from %d frames: nothing merged", segs, frames)
	}
}

func TestTCPEchoIPv6(t *testing.T) {
	a, b := twoStacks(t, offloads, offloads)
	echoServer(t, b, 7)
	echoRoundTrip(t, a, netip.AddrPortFrom(addrB6, 7), 1<<20)
}

func TestTCPEchoLossy(t *testing.T) {
	lossy := memnic.Options{Loss: 0.02, Corrupt: 0.01, Seed: 1}
	a, b := twoStacks(t, lossy, lossy)
	echoServer(t, b, 7)
	echoRoundTrip(t, a, netip.AddrPortFrom(addrB, 7), 1<<20)
	if a.Stats().TCP.Retransmits+b.Stats().TCP.Retransmits == 0 {
		t.Errorf("no retransmits over a lossy link")
	}
}

func TestLoopback(t *testing.T) {
	a, _ := twoStacks(t, memnic.Options{}, memnic.Options{})
	echoServer(t, a, 7)
	echoRoundTrip(t, a, netip.MustParseAddrPort("127.0.0.1:7"), 1<<20)
	echoRoundTrip(t, a, netip.MustParseAddrPort("[::1]:7"), 1<<20)
	echoRoundTrip(t, a, netip.AddrPortFrom(addrA, 7), 1<<16) // own address
}

// With receive checksum offload, frames the NIC did not check (here,
// those it corrupted) are checked in software and dropped: the stream
// arrives intact, and the drops are counted.
func TestTCPEchoCorruptWithRXOffload(t *testing.T) {
	corrupt := offloads
	corrupt.Corrupt, corrupt.Seed = 0.02, 3
	a, b := twoStacks(t, corrupt, corrupt)
	echoServer(t, b, 7)
	echoRoundTrip(t, a, netip.AddrPortFrom(addrB, 7), 1<<20)
	bad := a.Stats().NICs[1].Link.RxBadChecksum + b.Stats().NICs[1].Link.RxBadChecksum
	if bad == 0 {
		t.Errorf("no frame dropped for a bad checksum over a corrupting link")
	}
	t.Logf("%d frames dropped for bad checksums", bad)
}
