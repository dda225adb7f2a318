package qemu_test

// Echo round trips from the host, for the tests of guests' echo servers.

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"io"
	"net"
	"testing"
	"time"
)

// waitEcho retries a small echo until one comes back: QEMU accepts the
// host's connection before the guest does, so a guest not ready yet looks
// like a connection closed at once.
func waitEcho(t *testing.T, addr string, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		err := echoRoundTrip(addr, 16, 10*time.Second)
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no echo from %s after %v: %v", addr, d, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// echoRoundTrip sends n random bytes over a new TCP connection, closes
// its sending side and checks that exactly those bytes come back.
func echoRoundTrip(addr string, n int, d time.Duration) error {
	conn, err := net.DialTimeout("tcp", addr, d)
	if err != nil {
		return err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(d))
	data := make([]byte, n)
	rand.Read(data)
	werr := make(chan error, 1)
	go func() {
		_, err := conn.Write(data)
		if err == nil {
			err = conn.(*net.TCPConn).CloseWrite()
		}
		werr <- err
	}()
	got, err := io.ReadAll(conn)
	if err != nil {
		return fmt.Errorf("echo of %d bytes: after %d: %v", n, len(got), err)
	}
	if err := <-werr; err != nil {
		return fmt.Errorf("echo of %d bytes: sending: %v", n, err)
	}
	if !bytes.Equal(got, data) {
		return fmt.Errorf("echoed %d bytes, not the %d sent (or not the same ones)", len(got), n)
	}
	return nil
}

// udpEcho sends msg as a datagram to addr until it comes back, a few
// times at most: UDP may be lost.
func udpEcho(addr, msg string) error {
	u, err := net.Dial("udp", addr)
	if err != nil {
		return err
	}
	defer u.Close()
	buf := make([]byte, len(msg)+1)
	for try := 0; ; try++ {
		u.Write([]byte(msg))
		u.SetReadDeadline(time.Now().Add(2 * time.Second))
		n, err := u.Read(buf)
		switch {
		case err == nil && string(buf[:n]) != msg:
			return fmt.Errorf("udp echo %q, sent %q", buf[:n], msg)
		case err == nil:
			return nil
		case try == 5:
			return fmt.Errorf("no udp echo: %v", err)
		}
	}
}
