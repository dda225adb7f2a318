package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"time"
)

// Limits of one echo measurement: how long it may make no progress, and
// how long it may take in all before the rate so far is what it reports.
const (
	bulkStall = 30 * time.Second
	bulkLimit = time.Minute
)

// errIncomplete marks an echo cut short by bulkLimit: its rate is still
// a measurement.
var errIncomplete = errors.New("incomplete")

// Bulk is the outcome of an echo run.
type Bulk struct {
	Bytes    int64 // echoed back and checked
	Duration time.Duration
}

// MBps is the rate in MB/s (10^6 bytes).
func (b Bulk) MBps() float64 { return float64(b.Bytes) / b.Duration.Seconds() / 1e6 }

// echoBulk sends n bytes through the TCP echo server at addr while reading
// them back and checking them. Past limit it stops and returns what came
// back, with errIncomplete.
func echoBulk(ctx context.Context, dial dialFunc, addr string, n int64, limit time.Duration) (Bulk, error) {
	dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	c, err := dial(dctx, "tcp", addr)
	cancel()
	if err != nil {
		return Bulk{}, err
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	chunk := pattern(256 << 10)
	start := time.Now()
	end := start.Add(limit)
	werr := make(chan error, 1)
	go func() { werr <- writePattern(c, chunk, n, end) }()
	got, err := readPattern(c, chunk, n, end)
	res := Bulk{Bytes: got, Duration: time.Since(start)}
	if errors.Is(err, os.ErrDeadlineExceeded) && time.Now().After(end) && got > 0 {
		return res, fmt.Errorf("echo: %d of %d bytes back in %v: %w", got, n, limit, errIncomplete)
	}
	if err != nil {
		return res, fmt.Errorf("echo: %d of %d bytes back: %w", got, n, err)
	}
	if err := <-werr; err != nil {
		return res, fmt.Errorf("echo: sending: %w", err)
	}
	return res, nil
}

// pattern is n bytes that repeat with a period prime to the chunk sizes,
// so a lost or repeated segment shows.
func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i % 251)
	}
	return b
}

// deadline is bulkStall from now, but not after end.
func deadline(end time.Time) time.Time {
	d := time.Now().Add(bulkStall)
	if d.After(end) {
		return end
	}
	return d
}

// writePattern sends n bytes of the stream chunk repeats, then shuts down
// the sending side.
func writePattern(c net.Conn, chunk []byte, n int64, end time.Time) error {
	const step = 64 << 10
	var sent int64
	for sent < n {
		off := int(sent % int64(len(chunk)))
		k := int(min(int64(step), n-sent, int64(len(chunk)-off)))
		c.SetWriteDeadline(deadline(end))
		m, err := c.Write(chunk[off : off+k])
		sent += int64(m)
		if err != nil {
			return err
		}
	}
	return c.(interface{ CloseWrite() error }).CloseWrite()
}

// readPattern reads n bytes of the stream chunk repeats and checks them.
func readPattern(c net.Conn, chunk []byte, n int64, end time.Time) (int64, error) {
	buf := make([]byte, 64<<10)
	var got int64
	for got < n {
		c.SetReadDeadline(deadline(end))
		k, err := c.Read(buf[:min(int64(len(buf)), n-got)])
		for i := 0; i < k; {
			off := int((got + int64(i)) % int64(len(chunk)))
			m := min(k-i, len(chunk)-off)
			if !bytes.Equal(buf[i:i+m], chunk[off:off+m]) {
				return got, fmt.Errorf("wrong data at byte %d", got+int64(i))
			}
			i += m
		}
		got += int64(k)
		if err == io.EOF && got < n {
			return got, io.ErrUnexpectedEOF
		}
		if err != nil && got < n {
			return got, err
		}
	}
	return got, nil
}
