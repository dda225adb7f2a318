package net

import (
	"bytes"
	"context"
	"net/netip"
	"testing"
	"time"

	"warren.dev/net/link/memnic"
)

// udpEchoServer echoes datagrams on s at port until the test ends.
func udpEchoServer(t testing.TB, s *Stack, port uint16) {
	t.Helper()
	pc, err := s.ListenPacket(context.Background(), "udp", ":"+itoa(int(port)))
	if err != nil {
		t.Fatalf("listen udp: %v", err)
	}
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 65536)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			pc.WriteTo(buf[:n], from)
		}
	}()
}

func TestUDPEcho(t *testing.T) {
	a, b := twoStacks(t, memnic.Options{}, memnic.Options{})
	udpEchoServer(t, b, 7)
	for _, dst := range []netip.Addr{addrB, addrB6} {
		for _, size := range []int{1, 1200, 8000} { // 8000 bytes go as IP fragments
			conn, err := a.DialUDP(netip.AddrPort{}, netip.AddrPortFrom(dst, 7))
			if err != nil {
				t.Fatalf("dial: %v", err)
			}
			msg := bytes.Repeat([]byte{byte(size)}, size)
			copy(msg, "Hello, network!")
			conn.SetDeadline(time.Now().Add(5 * time.Second))
			if _, err := conn.Write(msg); err != nil {
				t.Fatalf("write: %v", err)
			}
			buf := make([]byte, 65536)
			n, err := conn.Read(buf)
			if err != nil {
				t.Fatalf("%v, %d bytes: read: %v", dst, size, err)
			}
			if !bytes.Equal(buf[:n], msg) {
				t.Errorf("%v, %d bytes: echo differs (%d bytes back)", dst, size, n)
			}
			if got := conn.RemoteAddr().String(); got != netip.AddrPortFrom(dst, 7).String() {
				t.Errorf("RemoteAddr = %s", got)
			}
			conn.Close()
		}
	}
	if st := b.Stats(); st.UDP.ChecksumErrors != 0 || st.UDP.PacketsReceived < 6 {
		t.Errorf("B's UDP stats: %+v", st.UDP)
	}
}

func TestPing(t *testing.T) {
	a, b := twoStacks(t, memnic.Options{}, memnic.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for i, dst := range []netip.Addr{addrB, addrB6, netip.MustParseAddr("127.0.0.1"), netip.IPv6Loopback()} {
		rtt, err := a.Ping(ctx, dst, uint16(i+1), []byte("warren ping"))
		if err != nil {
			t.Fatalf("ping %v: %v", dst, err)
		}
		t.Logf("ping %v: %v", dst, rtt)
	}
	st := b.Stats()
	if st.ICMP.EchoRequestsReceived4 != 1 || st.ICMP.EchoRequestsReceived6 != 1 {
		t.Errorf("B saw %d IPv4 and %d IPv6 echo requests, want 1 and 1", st.ICMP.EchoRequestsReceived4, st.ICMP.EchoRequestsReceived6)
	}
	if a.Stats().ARP.RepliesReceived == 0 || b.Stats().ICMP.NeighborSolicits6 == 0 {
		t.Errorf("no ARP reply or neighbor solicitation seen")
	}
}

func itoa(n int) string {
	return netip.AddrPortFrom(netip.IPv4Unspecified(), uint16(n)).String()[len("0.0.0.0:"):]
}
