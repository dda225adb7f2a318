package main

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"warren.dev/drivers/ether"
	wnet "warren.dev/net"
	"warren.dev/net/link"
	"warren.dev/net/link/memnic"
)

// TestSite serves the example's handler from one stack and fetches its
// pages from another.
func TestSite(t *testing.T) {
	nic := memnic.Options{Features: ether.FeatureTXCsum | ether.FeatureRXCsum | ether.FeatureTSO4 | ether.FeatureTSO6}
	na, nb := memnic.Pair(nic, nic)
	start := func(ip string, n link.NIC) *wnet.Stack {
		cfg, err := wnet.ParseConfig([]string{"ip=" + ip})
		if err != nil {
			t.Fatal(err)
		}
		s, err := wnet.Start(cfg, []link.NIC{n})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	guest, host := start("10.0.2.15/24", na), start("10.0.2.2/24", nb)
	ln, err := guest.Listen(context.Background(), "tcp", ":80")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: newHandler(guest)}
	go srv.Serve(ln)
	defer srv.Close()

	client := &http.Client{Transport: &http.Transport{DialContext: host.Dial}, Timeout: 2 * time.Minute}
	get := func(path string) (*http.Response, string) {
		t.Helper()
		resp, err := client.Get("http://10.0.2.15" + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		return resp, string(body)
	}

	if resp, body := get("/"); resp.StatusCode != 200 || !strings.Contains(body, "Hello from Warren") || !strings.Contains(body, "10.0.2.15/24") {
		t.Errorf("/: %d %q", resp.StatusCode, body)
	}
	if resp, body := get("/download?bytes=100"); resp.StatusCode != 200 || len(body) != 100 || body[:10] != "0123456789" {
		t.Errorf("/download?bytes=100: %d, %q", resp.StatusCode, body)
	}
	const n = 100 << 20
	t0 := time.Now()
	resp, err := client.Get("http://10.0.2.15/download?bytes=104857600")
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	d := time.Since(t0)
	if err != nil || resp.StatusCode != 200 || got != n || resp.ContentLength != n {
		t.Errorf("/download: %d, %d bytes, %v", resp.StatusCode, got, err)
	}
	t.Logf("downloaded 100 MiB in %v: %.0f MB/s", d, n/d.Seconds()/1e6)
	if resp, _ := get("/download?bytes=-1"); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("/download?bytes=-1: %d", resp.StatusCode)
	}
	if resp, body := get("/stats"); resp.StatusCode != 200 || !strings.Contains(body, "heap in use") || !strings.Contains(body, "tcp: ActiveOpens") || !strings.Contains(body, "link:") {
		t.Errorf("/stats: %d %q", resp.StatusCode, body)
	} else {
		t.Logf("/stats:\n%s", body)
	}
	if resp, _ := get("/nothing"); resp.StatusCode != 404 {
		t.Errorf("/nothing: %d", resp.StatusCode)
	}
}
