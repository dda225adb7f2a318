package bench

import (
	"context"
	"net"
	"net/http"
	"testing"
	"time"
)

// TestWaitReady starts a server a while after the probing begins, first
// answering 503, and checks that waitReady sees the first 200.
func TestWaitReady(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // refused until the server starts
	ready := time.Now().Add(300 * time.Millisecond)
	go func() {
		time.Sleep(150 * time.Millisecond)
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return
		}
		srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if time.Now().Before(ready) {
				w.WriteHeader(http.StatusServiceUnavailable)
			}
		})}
		t.Cleanup(func() { srv.Close() })
		srv.Serve(ln)
	}()
	var d net.Dialer
	start := time.Now()
	at, err := waitReady(context.Background(), d.DialContext, addr, httpOK, nil, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if at.Before(ready) {
		t.Errorf("ready after %v; the server answered 200 only from %v", at.Sub(start), ready.Sub(start))
	}

	stopped := make(chan struct{})
	close(stopped)
	if _, err := waitReady(context.Background(), d.DialContext, "127.0.0.1:1", httpOK, stopped, 10*time.Second); err == nil {
		t.Error("waitReady ignored a stopped machine")
	}
	if _, err := waitReady(context.Background(), d.DialContext, "127.0.0.1:1", echoes, nil, 100*time.Millisecond); err == nil {
		t.Error("waitReady did not time out")
	}
}
