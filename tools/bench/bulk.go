package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"time"
)

// bulkStall is how long the echo may make no progress.
const bulkStall = 30 * time.Second

// echoBulk sends n bytes through the TCP echo server at addr while reading
// them back, checks them, and returns the rate in MB/s (10^6 bytes).
func echoBulk(ctx context.Context, dial dialFunc, addr string, n int64) (float64, error) {
	dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	c, err := dial(dctx, "tcp", addr)
	cancel()
	if err != nil {
		return 0, err
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	chunk := pattern(256 << 10)
	start := time.Now()
	werr := make(chan error, 1)
	go func() {
		left := n
		for left > 0 {
			c.SetWriteDeadline(time.Now().Add(bulkStall))
			k, err := c.Write(chunk[:min(left, int64(len(chunk)))])
			left -= int64(k)
			if err != nil {
				werr <- err
				return
			}
		}
		werr <- c.(interface{ CloseWrite() error }).CloseWrite()
	}()
	got, err := readPattern(c, chunk, n)
	d := time.Since(start)
	if err != nil {
		return 0, fmt.Errorf("echo: %d of %d bytes back: %w", got, n, err)
	}
	if err := <-werr; err != nil {
		return 0, fmt.Errorf("echo: sending: %w", err)
	}
	return float64(n) / d.Seconds() / 1e6, nil
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

// readPattern reads n bytes of the stream chunk repeats and checks them.
func readPattern(c net.Conn, chunk []byte, n int64) (int64, error) {
	buf := make([]byte, 64<<10)
	var got int64
	for got < n {
		c.SetReadDeadline(time.Now().Add(bulkStall))
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
