package bench

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"
)

// dialFunc connects from inside the benchmark's namespace.
type dialFunc func(ctx context.Context, network, address string) (net.Conn, error)

// Probing: a new connection attempt every probeEvery, each given
// probeDial to connect (one SYN: Linux retransmits after 1 s) and
// probeTalk for the probe's exchange.
const (
	probeEvery = 20 * time.Millisecond
	probeDial  = 500 * time.Millisecond
	probeTalk  = 10 * time.Second
)

// waitReady starts staggered connection attempts to addr until one
// passes probe, and returns the time it did. It gives up when stopped is
// closed (the machine stopped) or after timeout.
func waitReady(ctx context.Context, dial dialFunc, addr string, probe func(net.Conn) error, stopped <-chan struct{}, timeout time.Duration) (time.Time, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	won := make(chan time.Time, 1)
	var mu sync.Mutex
	var lastErr error
	attempt := func() {
		defer wg.Done()
		err := func() error {
			dctx, dcancel := context.WithTimeout(ctx, probeDial)
			defer dcancel()
			c, err := dial(dctx, "tcp", addr)
			if err != nil {
				return err
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(probeTalk))
			return probe(c)
		}()
		if err == nil {
			select {
			case won <- time.Now():
			default:
			}
			return
		}
		mu.Lock()
		lastErr = err
		mu.Unlock()
	}
	tick := time.NewTicker(probeEvery)
	defer tick.Stop()
	for {
		wg.Add(1)
		go attempt()
		select {
		case t := <-won:
			return t, nil
		case <-stopped:
			return time.Time{}, errors.New("the machine stopped")
		case <-ctx.Done():
			mu.Lock()
			defer mu.Unlock()
			return time.Time{}, fmt.Errorf("%v not ready after %v (last attempt: %v)", addr, timeout, lastErr)
		case <-tick.C:
		}
	}
}

// httpOK sends GET / and wants a 200.
func httpOK(c net.Conn) error {
	if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: "+guestIP+"\r\nConnection: close\r\n\r\n"); err != nil {
		return err
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET /: %s", resp.Status)
	}
	return nil
}

// echoes sends a line and wants it back.
func echoes(c net.Conn) error {
	const msg = "ping\n"
	if _, err := io.WriteString(c, msg); err != nil {
		return err
	}
	buf := make([]byte, len(msg))
	if _, err := io.ReadFull(c, buf); err != nil {
		return err
	}
	if string(buf) != msg {
		return fmt.Errorf("echo sent back %q", buf)
	}
	return nil
}
