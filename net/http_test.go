package net

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	stdnet "net"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"

	"warren.dev/net/link/memnic"
)

func TestHTTP(t *testing.T) {
	a, b := twoStacks(t, offloads, offloads)
	ln, err := b.Listen(context.Background(), "tcp", ":80")
	if err != nil {
		t.Fatal(err)
	}
	big := bytes.Repeat([]byte("0123456789abcdef"), 1<<18) // 4 MiB
	mux := http.NewServeMux()
	mux.HandleFunc("/hello", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello %s from %s", r.RemoteAddr, r.Context().Value(http.LocalAddrContextKey))
	})
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) { w.Write(big) })
	mux.HandleFunc("/upload", func(w http.ResponseWriter, r *http.Request) {
		n, _ := io.Copy(io.Discard, r.Body)
		fmt.Fprint(w, n)
	})
	srv := &http.Server{Handler: mux}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	client := &http.Client{Transport: &http.Transport{DialContext: a.Dial}, Timeout: 30 * time.Second}
	defer client.CloseIdleConnections()
	get := func(url string) string {
		t.Helper()
		resp, err := client.Get(url)
		if err != nil {
			t.Fatalf("GET %s: %v", url, err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("GET %s: %d, %v", url, resp.StatusCode, err)
		}
		return string(body)
	}
	if got := get("http://10.0.0.2/hello"); !strings.HasPrefix(got, "hello 10.0.0.1:") || !strings.HasSuffix(got, "from 10.0.0.2:80") {
		t.Errorf("/hello over IPv4: %q", got)
	}
	if got := get("http://[fd00::2]/hello"); !strings.HasPrefix(got, "hello [fd00::1]:") {
		t.Errorf("/hello over IPv6: %q", got)
	}
	if got := get("http://10.0.0.2/big"); got != string(big) {
		t.Errorf("/big: %d bytes, differs", len(got))
	}
	resp, err := client.Post("http://10.0.0.2/upload", "application/octet-stream", bytes.NewReader(big))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != fmt.Sprint(len(big)) {
		t.Errorf("upload: server read %s bytes, want %d", body, len(big))
	}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	client.CloseIdleConnections()
	if err := srv.Shutdown(ctx); err != nil {
		t.Errorf("shutdown: %v", err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		t.Errorf("Serve returned %v", err)
	}
}

func TestDeadlines(t *testing.T) {
	a, b := twoStacks(t, memnic.Options{}, memnic.Options{})
	ln, err := b.ListenTCP(netip.MustParseAddrPort("10.0.0.2:9"))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan stdnet.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err == nil {
			accepted <- c
		}
	}()

	ctx := context.Background()
	c, err := a.DialTCP(ctx, netip.MustParseAddrPort("10.0.0.1:4242"), netip.MustParseAddrPort("10.0.0.2:9"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	srv := <-accepted
	defer srv.Close()
	if c.LocalAddr().String() != "10.0.0.1:4242" || c.RemoteAddr().String() != "10.0.0.2:9" {
		t.Errorf("client addresses %v -> %v", c.LocalAddr(), c.RemoteAddr())
	}
	if srv.LocalAddr().String() != "10.0.0.2:9" || srv.RemoteAddr().String() != "10.0.0.1:4242" {
		t.Errorf("server addresses %v <- %v", srv.LocalAddr(), srv.RemoteAddr())
	}

	// A read with nothing to read times out, and the connection survives.
	c.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	start := time.Now()
	_, err = c.Read(make([]byte, 1))
	var ne stdnet.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("read past deadline: %v, want a timeout", err)
	}
	if d := time.Since(start); d < 40*time.Millisecond {
		t.Errorf("timed out after %v, before the deadline", d)
	}
	c.SetReadDeadline(time.Time{})
	srv.Write([]byte("x"))
	if _, err := c.Read(make([]byte, 1)); err != nil {
		t.Errorf("read after clearing the deadline: %v", err)
	}

	// A write to a peer that never reads times out once buffers fill.
	c.SetWriteDeadline(time.Now().Add(200 * time.Millisecond))
	chunk := make([]byte, 1<<20)
	for {
		if _, err = c.Write(chunk); err != nil {
			break
		}
	}
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Errorf("write past deadline: %v, want a timeout", err)
	}

	// CloseRead on the server side: its reads end, its writes go on.
	if cr, ok := srv.(interface{ CloseRead() error }); !ok || cr.CloseRead() != nil {
		t.Errorf("CloseRead unavailable or failed")
	}

	// A dial to an address nobody answers ARP for ends with the context.
	dctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	if _, err := a.DialTCP(dctx, netip.AddrPort{}, netip.MustParseAddrPort("10.0.0.3:80")); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("dial to nowhere: %v", err)
	}
	// A dial to a closed port is refused.
	if _, err := a.Dial(ctx, "tcp", "10.0.0.2:10"); err == nil {
		t.Errorf("dial to a closed port succeeded")
	}

	// UDP reads honour deadlines too.
	pc, err := a.ListenPacket(ctx, "udp4", ":0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	pc.SetReadDeadline(time.Now().Add(30 * time.Millisecond))
	if _, _, err := pc.ReadFrom(make([]byte, 10)); !errors.As(err, &ne) || !ne.Timeout() {
		t.Errorf("UDP read past deadline: %v", err)
	}
}

func TestResolveErrors(t *testing.T) {
	a, _ := twoStacks(t, memnic.Options{}, memnic.Options{})
	ctx := context.Background()
	for _, tc := range []struct{ network, addr string }{
		{"tcp", "example.com:80"},
		{"tcp", "10.0.0.2"},
		{"tcp", "10.0.0.2:http"},
		{"tcp4", "[fd00::2]:80"},
		{"tcp6", "10.0.0.2:80"},
		{"sctp", "10.0.0.2:80"},
		{"tcp", "[fe80::1%nosuch]:80"},
	} {
		if _, err := a.Dial(ctx, tc.network, tc.addr); err == nil {
			t.Errorf("Dial(%q, %q) succeeded", tc.network, tc.addr)
		}
	}
	if _, err := a.Listen(ctx, "udp", ":80"); err == nil {
		t.Errorf("Listen udp succeeded")
	}
}
