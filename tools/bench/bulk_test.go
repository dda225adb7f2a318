package bench

import (
	"context"
	"errors"
	"io"
	"net"
	"testing"
	"time"
)

// echoServer serves TCP echo on loopback; slow makes it copy in small
// steps with pauses.
func echoServer(t *testing.T, slow bool) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				if !slow {
					io.Copy(c, c)
					return
				}
				buf := make([]byte, 1000)
				for {
					n, err := c.Read(buf)
					if n > 0 {
						c.Write(buf[:n])
						time.Sleep(time.Millisecond)
					}
					if err != nil {
						return
					}
				}
			}()
		}
	}()
	return ln.Addr().String()
}

func TestEchoBulk(t *testing.T) {
	var d net.Dialer
	addr := echoServer(t, false)
	b, err := echoBulk(context.Background(), d.DialContext, addr, 3<<20+12345, time.Minute)
	if err != nil || b.Bytes != 3<<20+12345 || b.MBps() <= 0 {
		t.Fatalf("echoBulk = %+v, %v", b, err)
	}
	slow := echoServer(t, true)
	b, err = echoBulk(context.Background(), d.DialContext, slow, 64<<20, 300*time.Millisecond)
	if !errors.Is(err, errIncomplete) || b.Bytes == 0 || b.Bytes >= 64<<20 {
		t.Fatalf("slow echo: %+v, %v", b, err)
	}
}

func TestEchoBulkCorrupt(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		buf := make([]byte, 4096)
		n, _ := io.ReadFull(c, buf)
		buf[100]++
		c.Write(buf[:n])
		io.Copy(c, c)
	}()
	var d net.Dialer
	if _, err := echoBulk(context.Background(), d.DialContext, ln.Addr().String(), 1<<20, time.Minute); err == nil {
		t.Fatal("corrupted echo accepted")
	}
}
