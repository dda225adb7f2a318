package sockets

import (
	"testing"

	"golang.org/x/sys/unix"
)

// benchIO moves size-byte messages from c to s through the write and
// read handlers; with echo, s sends each back (a request-response round
// trip). Both descriptors block, so reads wait on netstack's queues.
func benchIO(b *testing.B, size int, echo bool) {
	e := newEnv(b)
	c, s := e.pair()
	e.k.SetNonblock(int(c), false)
	e.k.SetNonblock(int(s), false)
	e.setInt(c, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
	e.setInt(s, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
	out, in := e.mem(make([]byte, size)), e.buf(size)
	read := func(fd uint64) {
		for got := 0; got < size; {
			n, errno := e.call(unix.SYS_READ, fd, in, uint64(size-got))
			if errno != 0 || n == 0 {
				b.Fatalf("read: %d, %v", n, errno)
			}
			got += int(n)
		}
	}
	b.SetBytes(int64(size))
	b.ResetTimer()
	for range b.N {
		if n, errno := e.call(unix.SYS_WRITE, c, out, uint64(size)); errno != 0 || n != uint64(size) {
			b.Fatalf("write: %d, %v", n, errno)
		}
		read(s)
		if echo {
			e.call(unix.SYS_WRITE, s, out, uint64(size))
			read(c)
		}
	}
	b.StopTimer()
	e.close(c)
	e.close(s)
}

func BenchmarkReadWrite1K(b *testing.B)  { benchIO(b, 1<<10, false) }
func BenchmarkReadWrite64K(b *testing.B) { benchIO(b, 64<<10, false) }
func BenchmarkEcho64(b *testing.B)       { benchIO(b, 64, true) }
