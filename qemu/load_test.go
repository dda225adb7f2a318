package qemu_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestUnmodifiedUnderLoad drives examples/plainhttp, a Go service with no
// Warren import, through sustained load in both ways Warren runs it: built
// into the image, and built by plain go build and run as a ring-3
// process. Keep-alive clients fetch its three pages and echo clients
// stream through its echo port, all at once; no request may fail, and
// afterwards both ports still take new connections and answer. Each runs
// at -smp 1 and at -smp 2, where the service's threads, the socket layer
// and the driver's interrupts are spread over both CPUs.
func TestUnmodifiedUnderLoad(t *testing.T) {
	load := 10 * time.Second
	for _, cpus := range []int{1, 2} {
		for _, ring3 := range []bool{false, true} {
			name := fmt.Sprintf("image/smp%d", cpus)
			if ring3 {
				name = fmt.Sprintf("ring3/smp%d", cpus)
			}
			t.Run(name, func(t *testing.T) { unmodifiedUnderLoad(t, load, ring3, cpus) })
		}
	}
}

func unmodifiedUnderLoad(t *testing.T, load time.Duration, ring3 bool, cpus int) {
	g := bootStatsGuest(t, "virtio-net-pci", ring3, cpus)
	httpBase, echoAddr := "http://"+g.http, g.echo

	ctx, stop := context.WithTimeout(context.Background(), load)
	defer stop()
	var requests, streamed atomic.Int64
	var mu sync.Mutex
	var failures []string
	fail := func(format string, a ...any) {
		mu.Lock()
		defer mu.Unlock()
		if len(failures) < 10 {
			failures = append(failures, fmt.Sprintf(format, a...))
		}
	}
	var wg sync.WaitGroup
	pages := map[string]int{"/": len("hello\n"), "/1k": 1 << 10, "/64k": 64 << 10}
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := &http.Client{Timeout: 30 * time.Second}
			paths := []string{"/", "/1k", "/64k"}
			for n := i; ctx.Err() == nil; n++ {
				path := paths[n%len(paths)]
				resp, err := c.Get(httpBase + path)
				if err != nil {
					fail("GET %s: %v", path, err)
					return
				}
				body, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err != nil || resp.StatusCode != 200 || len(body) != pages[path] {
					fail("GET %s: %d, %d bytes, %v", path, resp.StatusCode, len(body), err)
					return
				}
				requests.Add(1)
			}
		}()
	}
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				n, err := echoOnce(echoAddr, 256<<10)
				if err != nil {
					fail("echo: %v", err)
					return
				}
				streamed.Add(int64(n))
			}
		}()
	}
	wg.Wait()
	t.Logf("%v of load: %d requests, %d bytes echoed", load, requests.Load(), streamed.Load())
	for _, f := range failures {
		t.Error(f)
	}
	if requests.Load() == 0 || streamed.Load() == 0 {
		t.Fatalf("no load got through")
	}

	// Both ports still take new connections.
	c := &http.Client{Timeout: 30 * time.Second}
	if code, body := httpGet(t, c, httpBase+"/", time.Minute); code != 200 || body != "hello\n" {
		t.Errorf("GET / after the load: %d %q", code, body)
	}
	if _, err := echoOnce(echoAddr, 4<<10); err != nil {
		t.Errorf("echo after the load: %v", err)
	}
	g.running()
	checkKernelHealthy(t, g.output())
}

// echoOnce sends n bytes through the echo server on a new connection and
// checks that they come back.
func echoOnce(addr string, n int) (int, error) {
	c, err := net.DialTimeout("tcp", addr, 30*time.Second)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(time.Minute))
	data := bytes.Repeat([]byte("0123456789abcdef"), n/16)
	errc := make(chan error, 1)
	go func() {
		_, err := c.Write(data)
		errc <- err
	}()
	got := make([]byte, len(data))
	if _, err := io.ReadFull(c, got); err != nil {
		return 0, err
	}
	if err := <-errc; err != nil {
		return 0, err
	}
	if !bytes.Equal(got, data) {
		return 0, fmt.Errorf("%d bytes came back different", len(data))
	}
	return len(data), nil
}
