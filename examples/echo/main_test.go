package main

import (
	"bytes"
	"context"
	"io"
	"net/netip"
	"strings"
	"testing"
	"time"

	wnet "warren.dev/net"
	"warren.dev/net/link"
	"warren.dev/net/link/memnic"
)

// TestEcho runs the example's server on one stack and talks to it from
// another, which also receives the greeting as the gateway.
func TestEcho(t *testing.T) {
	na, nb := memnic.Pair(memnic.Options{}, memnic.Options{})
	guestCfg, err := wnet.ParseConfig([]string{"ip=10.0.2.15/24", "gw=10.0.2.2"})
	if err != nil {
		t.Fatal(err)
	}
	guest, err := wnet.Start(guestCfg, []link.NIC{na})
	if err != nil {
		t.Fatal(err)
	}
	defer guest.Close()
	hostCfg, _ := wnet.ParseConfig([]string{"ip=10.0.2.2/24"})
	host, err := wnet.Start(hostCfg, []link.NIC{nb})
	if err != nil {
		t.Fatal(err)
	}
	defer host.Close()

	greetings, err := host.ListenUDP(netip.MustParseAddrPort("10.0.2.2:7"))
	if err != nil {
		t.Fatal(err)
	}
	defer greetings.Close()
	srv, err := listen(guest, 7)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.close()
	go srv.serve()
	if err := greet(guest, "", 7); err != nil {
		t.Fatal(err)
	}
	greetings.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 100)
	n, from, err := greetings.ReadFrom(buf)
	if err != nil || string(buf[:n]) != "Hello, network!\n" || !strings.HasPrefix(from.String(), "10.0.2.15:") {
		t.Fatalf("greeting: %q from %v, %v", buf[:n], from, err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := host.Dial(ctx, "tcp", "10.0.2.15:7")
	if err != nil {
		t.Fatal(err)
	}
	msg := bytes.Repeat([]byte("echo "), 100_000)
	go func() { c.Write(msg); c.(interface{ CloseWrite() error }).CloseWrite() }()
	got, err := io.ReadAll(c)
	c.Close()
	if err != nil || !bytes.Equal(got, msg) {
		t.Fatalf("TCP echo: %d bytes back, %v", len(got), err)
	}

	u, err := host.Dial(ctx, "udp", "10.0.2.15:7")
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	u.SetDeadline(time.Now().Add(5 * time.Second))
	u.Write([]byte("ping"))
	if n, err := u.Read(buf); err != nil || string(buf[:n]) != "ping" {
		t.Fatalf("UDP echo: %q, %v", buf[:n], err)
	}

	for _, tc := range []struct{ in, want string }{
		{"10.0.2.2", "10.0.2.2:7"}, {"10.0.2.2:9", "10.0.2.2:9"}, {"[fd00::1]:9", "[fd00::1]:9"}, {"fd00::1", "[fd00::1]:7"},
	} {
		if ap, err := greetAddr(guest, tc.in, 7); err != nil || ap.String() != tc.want {
			t.Errorf("greetAddr(%q) = %v, %v", tc.in, ap, err)
		}
	}
	if _, err := greetAddr(guest, "gateway", 7); err == nil {
		t.Errorf("greetAddr accepted a name")
	}
}
