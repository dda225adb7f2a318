// Command spliceprog checks splice(2) and tee(2) inside Warren: between
// a pipe and a unix or TCP socket both ways, a file and a pipe both
// ways, two pipes, tee's copy that leaves the bytes, F_SETPIPE_SZ, end
// of stream, the errors Linux gives, and 4 MiB through the net
// package's splice path (TCPConn's ReadFrom), checked by digest. It
// prints "spliceprog: ok" and exits 0, or names each failed check and
// exits 1.
package main

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"syscall"

	"golang.org/x/sys/unix"

	"warren.dev/qemu/testdata/internal/verdict"
)

var v = verdict.New("spliceprog")

func main() {
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
// io.Copy, which splices (TCPConn.ReadFrom), and compares digests.
func throughNet() {
	data := make([]byte, 4<<20)
	rng := rand.NewChaCha8([32]byte{7})
	rng.Read(data)
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
	sum := make(chan [32]byte)
	go func() {
		h := sha256.New()
		io.Copy(h, outPeer)
		sum <- [32]byte(h.Sum(nil))
	}()
	n, err := io.Copy(out.(*net.TCPConn), inPeer)
	out.Close()
	v.Check(n == int64(len(data)) && err == nil, "io.Copy between TCP connections: %d, %v", n, err)
	v.Check(<-sum == sha256.Sum256(data), "the bytes that came through differ")
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
