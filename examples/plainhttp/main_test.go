package main

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestPages(t *testing.T) {
	srv := httptest.NewServer(handler())
	defer srv.Close()
	for path, n := range map[string]int{"/": 6, "/1k": 1 << 10, "/64k": 64 << 10} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 || len(body) != n || resp.ContentLength != int64(n) {
			t.Errorf("GET %s: %s, %d bytes (Content-Length %d), %v; want %d", path, resp.Status, len(body), resp.ContentLength, err, n)
		}
		if path == "/" && string(body) != "hello\n" {
			t.Errorf("GET /: %q", body)
		}
	}
	for _, path := range []string{"/2k", "/1k/", "/favicon.ico"} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %s, want 404", path, resp.Status)
		}
	}
}

func TestEcho(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go serveEcho(ln)
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(30 * time.Second))
	want := text(1 << 20)
	go func() {
		c.Write(want)
		c.(*net.TCPConn).CloseWrite()
	}()
	got, err := io.ReadAll(c)
	if err != nil || !bytes.Equal(got, want) {
		t.Errorf("echoed %d of %d bytes, equal %v (%v)", len(got), len(want), bytes.Equal(got, want), err)
	}
}
