// Command spliceprog checks splice(2) and tee(2) inside Warren: between
// a pipe and a unix or TCP socket both ways, a file and a pipe both
// ways, two pipes, tee's copy that leaves the bytes, F_SETPIPE_SZ, end
// of stream, the errors Linux gives, and 4 MiB through the net
// package's splice path (TCPConn's ReadFrom), compared, which
// in a Warren image must make next to no forwarded socket calls. It
// prints "spliceprog: ok" and exits 0, or names each failed check and
// exits 1.
//
// With -bench N it instead times io.Copy of N MiB between loopback TCP
// connections -runs times by splice and by read and write, interleaved,
// and prints each run's seconds and the kernel's counters per MiB
// (docs/socket-path.md).
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"warren.dev/qemu/testdata/internal/verdict"
)

var v = verdict.New("spliceprog")

func main() {
	mib := flag.Int("bench", 0, "time io.Copy of this many MiB instead of checking")
	runs := flag.Int("runs", 5, "runs of each way with -bench")
	flag.Parse()
	if *mib > 0 {
		bench(*mib, *runs)
		return
	}
	unixPair, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
	v.Check(err == nil, "socketpair: %v", err)
	socketAndPipe("unix", unixPair[0], unixPair[1])
	a, b := tcpPair()
	socketAndPipe("tcp", a, b)
	fileAndPipe()
	pipes()
	errorsLinuxGives(unixPair[0])
	endOfStream(unixPair[0], unixPair[1])
	throughNet()
	v.End()
}

// socketAndPipe moves bytes from socket b through a pipe and back out to
// socket a, each a splice.
func socketAndPipe(name string, a, b int) {
	r, w := pipe()
	write(a, "socket to pipe")
	n, err := syscall.Splice(b, nil, w, nil, 64, 0)
	v.Check(n == 14 && err == nil, "%s: splice socket to pipe: %d, %v", name, n, err)
	v.Check(readN(r, 14) == "socket to pipe", "%s: the pipe after splice from the socket", name)

	write(w, "pipe to socket")
	n, err = syscall.Splice(r, nil, a, nil, 64, unix.SPLICE_F_MOVE|unix.SPLICE_F_MORE)
	v.Check(n == 14 && err == nil, "%s: splice pipe to socket: %d, %v", name, n, err)
	v.Check(readN(b, 14) == "pipe to socket", "%s: the socket after splice from the pipe", name)
	// The bytes moved: the pipe is empty now.
	_, err = syscall.Splice(r, nil, a, nil, 64, unix.SPLICE_F_NONBLOCK)
	v.Check(errors.Is(err, syscall.EAGAIN), "%s: splice from the emptied pipe: %v; want EAGAIN", name, err)
	syscall.Close(r)
	syscall.Close(w)
}

// fileAndPipe moves bytes of a file at an offset into a pipe, and from
// the pipe into another file at its position.
func fileAndPipe() {
	src, _ := os.CreateTemp("", "src")
	dst, _ := os.CreateTemp("", "dst")
	src.WriteString("0123456789")
	r, w := pipe()
	off := int64(2)
	n, err := syscall.Splice(int(src.Fd()), &off, w, nil, 5, 0)
	pos, _ := src.Seek(0, io.SeekCurrent)
	v.Check(n == 5 && err == nil && off == 7 && pos == 10, "splice file to pipe: %d, %v, offset %d, position %d; want 5, 7, 10", n, err, off, pos)
	n, err = syscall.Splice(r, nil, int(dst.Fd()), nil, 64, 0)
	pos, _ = dst.Seek(0, io.SeekCurrent)
	v.Check(n == 5 && err == nil && pos == 5, "splice pipe to file: %d, %v, position %d", n, err, pos)
	got, _ := os.ReadFile(dst.Name())
	v.Check(string(got) == "23456", "the file after splice from the pipe: %q", got)
	syscall.Close(r)
	syscall.Close(w)
	os.Remove(src.Name())
	os.Remove(dst.Name())
}

// pipes splices and tees between two pipes.
func pipes() {
	r1, w1 := pipe()
	r2, w2 := pipe()
	write(w1, "teed then spliced")
	n, err := syscall.Tee(r1, w2, 4, 0)
	v.Check(n == 4 && err == nil && readN(r2, 4) == "teed", "tee: %d, %v", n, err)
	n, err = syscall.Splice(r1, nil, w2, nil, 64, 0)
	v.Check(n == 17 && err == nil && readN(r2, 17) == "teed then spliced", "splice pipe to pipe after tee: %d, %v", n, err)
	_, err = syscall.Tee(r1, w1, 4, 0)
	v.Check(errors.Is(err, syscall.EINVAL), "tee of a pipe to itself: %v, want EINVAL", err)

	// F_SETPIPE_SZ, as Go's splice asks: rounded up to a power of two
	// pages, seen from both ends, and the room is there.
	size, err := unix.FcntlInt(uintptr(r1), unix.F_SETPIPE_SZ, 100_000)
	v.Check(size == 128<<10 && err == nil, "F_SETPIPE_SZ 100000: %d, %v; want 131072", size, err)
	size, err = unix.FcntlInt(uintptr(w1), unix.F_GETPIPE_SZ, 0)
	v.Check(size == 128<<10 && err == nil, "F_GETPIPE_SZ: %d, %v", size, err)
	syscall.SetNonblock(w1, true)
	wrote, err := syscall.Write(w1, make([]byte, 128<<10))
	v.Check(wrote == 128<<10 && err == nil, "a write filling the resized pipe: %d, %v", wrote, err)
	_, err = unix.FcntlInt(uintptr(r1), unix.F_SETPIPE_SZ, 4096)
	v.Check(errors.Is(err, syscall.EBUSY), "shrinking a full pipe: %v, want EBUSY", err)
	for _, fd := range []int{r1, w1, r2, w2} {
		syscall.Close(fd)
	}
}

// errorsLinuxGives checks splice's refusals.
func errorsLinuxGives(sock int) {
	r, w := pipe()
	f, _ := os.CreateTemp("", "err")
	fd := int(f.Fd())
	off := int64(0)
	for _, c := range []struct {
		name string
		err  error
		want error
	}{
		{"no pipe", spliceErr(fd, nil, sock, nil, 0), syscall.EINVAL},
		{"offset on a pipe", spliceErr(r, &off, sock, nil, 0), syscall.ESPIPE},
		{"unknown flag", spliceErr(r, nil, sock, nil, 0x100), syscall.EINVAL},
		{"from the write end", spliceErr(w, nil, sock, nil, 0), syscall.EBADF},
		{"to the read end", spliceErr(sock, nil, r, nil, 0), syscall.EBADF},
		{"closed descriptor", spliceErr(999, nil, w, nil, 0), syscall.EBADF},
		{"empty pipe, non-blocking", spliceErr(r, nil, fd, nil, unix.SPLICE_F_NONBLOCK), syscall.EAGAIN},
	} {
		v.Check(errors.Is(c.err, c.want), "splice, %s: %v, want %v", c.name, c.err, c.want)
	}
	// A full pipe takes nothing more from a socket.
	syscall.SetNonblock(w, true)
	for {
		if _, err := syscall.Write(w, make([]byte, 4096)); err != nil {
			break
		}
	}
	write(sock, "x")
	v.Check(errors.Is(spliceErr(sock, nil, w, nil, unix.SPLICE_F_NONBLOCK), syscall.EAGAIN), "splice to a full pipe: want EAGAIN")
	syscall.Close(r)
	syscall.Close(w)
	f.Close()
	os.Remove(f.Name())
}

// endOfStream: from a socket whose peer has closed, splice moves nothing
// and says so with 0. The peer's byte the full pipe left is read first.
func endOfStream(a, b int) {
	r, w := pipe()
	syscall.Close(a)
	n, err := syscall.Splice(b, nil, w, nil, 64, 0)
	v.Check(n == 1 && err == nil, "splice of the byte left: %d, %v", n, err)
	n, err = syscall.Splice(b, nil, w, nil, 64, 0)
	v.Check(n == 0 && err == nil, "splice at end of stream: %d, %v; want 0", n, err)
	syscall.Close(r)
	syscall.Close(w)
	syscall.Close(b)
}

// throughNet copies 4 MiB from one TCP connection to another with
// io.Copy, which splices (TCPConn.ReadFrom), and compares them. In a
// Warren image the splices are the program's own calls on non-blocking
// sockets, served without forwarding: a few forwarded calls at most.
func throughNet() {
	data := make([]byte, 4<<20)
	rng := rand.NewChaCha8([32]byte{7})
	rng.Read(data)
	before, counted := counters()
	n, same := copyThrough(data, func(dst *net.TCPConn, src net.Conn) (int64, error) { return io.Copy(dst, src) })
	if after, _ := counters(); counted {
		fwd := after.Forwarded - before.Forwarded
		v.Check(fwd <= 4, "io.Copy of 4 MiB between TCP connections made %d forwarded calls; want at most 4", fwd)
	}
	v.Check(n == int64(len(data)) && same, "io.Copy between TCP connections: %d bytes, the same %v", n, same)
}

// copyThrough sends data through two loopback TCP connections, the
// bytes received on the first passed to the second by cp, and returns
// what cp moved and whether what came out was data. (A comparison, not
// a digest: hashing under TCG would cost more than the copy measured.)
func copyThrough(data []byte, cp func(*net.TCPConn, net.Conn) (int64, error)) (int64, bool) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	v.Check(err == nil, "listen: %v", err)
	in, _ := net.Dial("tcp", ln.Addr().String())
	inPeer, _ := ln.Accept()
	out, _ := net.Dial("tcp", ln.Addr().String())
	outPeer, _ := ln.Accept()
	go func() {
		in.Write(data)
		in.Close()
	}()
	same := make(chan bool)
	go func() {
		buf := make([]byte, 64<<10)
		got := 0
		ok := true
		for {
			n, err := outPeer.Read(buf)
			ok = ok && got+n <= len(data) && bytes.Equal(buf[:n], data[got:got+n])
			got += n
			if err != nil {
				break
			}
		}
		outPeer.Close()
		same <- ok && got == len(data)
	}()
	n, err := cp(out.(*net.TCPConn), inPeer)
	v.Check(err == nil, "copy between TCP connections: %v", err)
	out.Close()
	inPeer.Close()
	ln.Close()
	return n, <-same
}

// bench times io.Copy of mib MiB between TCP connections, by splice and
// by read and write (a reader that hides TCPConn's WriteTo from a
// destination that hides its ReadFrom), runs times each.
func bench(mib, runs int) {
	data := make([]byte, mib<<20)
	rand.NewChaCha8([32]byte{7}).Read(data)
	ways := []struct {
		name string
		copy func(*net.TCPConn, net.Conn) (int64, error)
	}{
		{"splice", func(dst *net.TCPConn, src net.Conn) (int64, error) { return io.Copy(dst, src) }},
		{"readwrite", func(dst *net.TCPConn, src net.Conn) (int64, error) {
			return io.Copy(struct{ io.Writer }{dst}, struct{ io.Reader }{src})
		}},
	}
	for range runs {
		for _, w := range ways {
			before, _ := counters()
			start := time.Now()
			n, same := copyThrough(data, w.copy)
			secs := time.Since(start).Seconds()
			after, _ := counters()
			v.Check(n == int64(len(data)) && same, "%s: %d bytes, the same %v", w.name, n, same)
			per := func(a, b uint64) float64 { return float64(a-b) / float64(mib) }
			fmt.Printf("spliceprog: bench %s %d MiB %.3f s; per MiB: traps %.1f, syscalls %.1f, warren calls %.1f, forwarded %.1f, switches %.1f, splices %.1f\n",
				w.name, mib, secs, per(after.Traps, before.Traps), per(after.Syscalls, before.Syscalls), per(after.WarrenCalls, before.WarrenCalls),
				per(after.Forwarded, before.Forwarded), per(after.ContextSwitches, before.ContextSwitches),
				per(after.ByNr[unix.SYS_SPLICE], before.ByNr[unix.SYS_SPLICE]))
		}
	}
	v.End()
}

func spliceErr(rfd int, roff *int64, wfd int, woff *int64, flags int) error {
	_, err := syscall.Splice(rfd, roff, wfd, woff, 16, flags)
	return err
}

// tcpPair makes a connected pair of blocking TCP sockets.
func tcpPair() (int, int) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	v.Check(err == nil, "listen: %v", err)
	c, _ := net.Dial("tcp", ln.Addr().String())
	s, _ := ln.Accept()
	a, b := fdOf(c), fdOf(s)
	c.Close()
	s.Close()
	ln.Close()
	return a, b
}

// fdOf is a blocking descriptor of its own for c's socket.
func fdOf(c net.Conn) int {
	f, err := c.(*net.TCPConn).File()
	v.Check(err == nil, "File: %v", err)
	fd, _ := syscall.Dup(int(f.Fd()))
	f.Close()
	syscall.SetNonblock(fd, false)
	return fd
}

func pipe() (int, int) {
	var p [2]int
	v.Check(syscall.Pipe(p[:]) == nil, "pipe")
	return p[0], p[1]
}

func write(fd int, s string) {
	n, err := syscall.Write(fd, []byte(s))
	v.Check(n == len(s) && err == nil, "write %q: %d, %v", s, n, err)
}

func readN(fd, n int) string {
	var b bytes.Buffer
	buf := make([]byte, n)
	for b.Len() < n {
		k, err := syscall.Read(fd, buf[:n-b.Len()])
		if k <= 0 || err != nil {
			break
		}
		b.Write(buf[:k])
	}
	return b.String()
}
