// Command sockprog is an ordinary Go program with no Warren import that
// works the socket layer hard: bulk and concurrent TCP over loopback,
// io.Copy between connections (splice, then the fallback), deadlines, a
// listener closed under a blocked Accept, addresses bound again as soon
// as their sockets are closed, UDP bursts, blocking sockets
// made with the syscall package, sendfile from a file in /tmp, and the
// interface table. It runs every
// check, prints each result, and ends with "sockprog: ok" when all
// passed.
package main

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"sync"
	"syscall"
	"time"
)

func main() {
	failed := false
	for _, c := range []struct {
		name string
		fn   func() error
	}{
		{"bulk", bulk},
		{"io.Copy", spliceCopy},
		{"concurrent", concurrent},
		{"deadline", deadline},
		{"close listener", closeListener},
		{"relisten", relisten},
		{"udp", udpBurst},
		{"blocking", blocking},
		{"sendfile", sendfile},
		{"interfaces", interfaces},
	} {
		start := time.Now()
		if err := c.fn(); err != nil {
			fmt.Printf("sockprog: %s: FAIL: %v\n", c.name, err)
			failed = true
			continue
		}
		fmt.Printf("sockprog: %s ok (%v)\n", c.name, time.Since(start).Round(time.Millisecond))
	}
	if failed {
		os.Exit(1)
	}
	fmt.Println("sockprog: ok")
}

// echoServer echoes every connection of a new loopback listener through
// a buffer.
func echoServer() (net.Listener, error) {
	return server(func(c net.Conn) { io.Copy(struct{ io.Writer }{c}, struct{ io.Reader }{c}) })
}

// server runs serve for every connection of a new loopback listener.
func server(serve func(net.Conn)) (net.Listener, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				serve(c)
			}()
		}
	}()
	return ln, nil
}

// roundTrip sends n random bytes through the echo server and compares.
func roundTrip(addr string, n int, seed uint64) error {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	data := make([]byte, n)
	r := rand.New(rand.NewPCG(seed, 1))
	for i := range data {
		data[i] = byte(r.Uint32())
	}
	errc := make(chan error, 1)
	go func() {
		_, err := c.Write(data)
		c.(*net.TCPConn).CloseWrite()
		errc <- err
	}()
	h := sha256.New()
	got, err := io.Copy(h, c)
	if err != nil {
		return err
	}
	if err := <-errc; err != nil {
		return err
	}
	if want := sha256.Sum256(data); got != int64(n) || !bytes.Equal(h.Sum(nil), want[:]) {
		return fmt.Errorf("echoed %d of %d bytes, or other bytes", got, n)
	}
	return nil
}

func bulk() error {
	ln, err := echoServer()
	if err != nil {
		return err
	}
	defer ln.Close()
	return roundTrip(ln.Addr().String(), 16<<20, 1)
}

// spliceCopy echoes with io.Copy(conn, conn), which splices (socket to
// pipe to the same socket).
func spliceCopy() error {
	ln, err := server(func(c net.Conn) { io.Copy(c, c) })
	if err != nil {
		return err
	}
	defer ln.Close()
	return roundTrip(ln.Addr().String(), 1<<20, 2)
}

func concurrent() error {
	ln, err := echoServer()
	if err != nil {
		return err
	}
	defer ln.Close()
	var wg sync.WaitGroup
	errs := make(chan error, 50)
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- roundTrip(ln.Addr().String(), 64<<10, uint64(i))
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func deadline() error {
	ln, err := net.Listen("tcp", "[::1]:0")
	if err != nil {
		return err
	}
	defer ln.Close()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	start := time.Now()
	_, err = c.Read(make([]byte, 1))
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		return fmt.Errorf("read past the deadline: %v", err)
	}
	if d := time.Since(start); d < 90*time.Millisecond {
		return fmt.Errorf("deadline after %v, before it was due", d)
	}
	return nil
}

func closeListener() error {
	ln, err := net.Listen("tcp", ":0")
	if err != nil {
		return err
	}
	done := make(chan error)
	go func() {
		_, err := ln.Accept()
		done <- err
	}()
	time.Sleep(50 * time.Millisecond)
	ln.Close()
	select {
	case err := <-done:
		if !errors.Is(err, net.ErrClosed) {
			return fmt.Errorf("accept on a closed listener: %v", err)
		}
	case <-time.After(5 * time.Second):
		return errors.New("accept still blocked after close")
	}
	return nil
}

// relisten closes listeners and binds their addresses again at once:
// close returns only when the socket layer has let go of the address.
func relisten() error {
	for i := range 20 {
		for _, network := range []string{"tcp", "udp", "unix"} {
			addr := "127.0.0.1:0"
			if network == "unix" {
				addr = fmt.Sprintf("@sockprog-relisten-%d", i)
			}
			for try := range 2 {
				c, err := listen(network, addr)
				if err != nil {
					return fmt.Errorf("round %d, listen %d: %v", i, try, err)
				}
				addr = c.addr
				if err := c.Close(); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// bound is a listener or packet socket and the address it got.
type bound struct {
	io.Closer
	addr string
}

func listen(network, addr string) (bound, error) {
	if network == "udp" {
		pc, err := net.ListenPacket(network, addr)
		if err != nil {
			return bound{}, err
		}
		return bound{pc, pc.LocalAddr().String()}, nil
	}
	ln, err := net.Listen(network, addr)
	if err != nil {
		return bound{}, err
	}
	return bound{ln, ln.Addr().String()}, nil
}

func udpBurst() error {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer pc.Close()
	c, err := net.Dial("udp", pc.LocalAddr().String())
	if err != nil {
		return err
	}
	defer c.Close()
	const n = 100
	for i := range n {
		if _, err := c.Write([]byte(fmt.Sprintf("datagram %d", i))); err != nil {
			return err
		}
	}
	buf := make([]byte, 2000)
	pc.SetReadDeadline(time.Now().Add(5 * time.Second))
	for i := range n {
		m, from, err := pc.ReadFrom(buf)
		if err != nil {
			return fmt.Errorf("datagram %d: %v", i, err)
		}
		if want := fmt.Sprintf("datagram %d", i); string(buf[:m]) != want || from.String() != c.LocalAddr().String() {
			return fmt.Errorf("got %q from %v, want %q from %v", buf[:m], from, want, c.LocalAddr())
		}
	}
	return nil
}

// blocking uses blocking sockets through the syscall package, as C-style
// code does: the calls wait in the socket layer.
func blocking() error {
	ln, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		return err
	}
	defer syscall.Close(ln)
	if err := syscall.Bind(ln, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		return err
	}
	if err := syscall.Listen(ln, 1); err != nil {
		return err
	}
	sa, err := syscall.Getsockname(ln)
	if err != nil {
		return err
	}
	// Accept gives up after 20 s (SO_RCVTIMEO), so that a connection
	// that never arrives fails the check with what the connecting side
	// saw, not the test's timeout with nothing.
	if err := syscall.SetsockoptTimeval(ln, syscall.SOL_SOCKET, syscall.SO_RCVTIMEO, &syscall.Timeval{Sec: 20}); err != nil {
		return err
	}
	connected := make(chan error, 1)
	go func() {
		c, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
		if err != nil {
			connected <- fmt.Errorf("socket: %v", err)
			return
		}
		defer syscall.Close(c)
		time.Sleep(20 * time.Millisecond)
		if err := syscall.Connect(c, sa); err != nil {
			connected <- fmt.Errorf("connect to %+v: %v", sa, err)
			return
		}
		_, err = syscall.Write(c, []byte("blocking hello"))
		connected <- err
	}()
	s, _, err := syscall.Accept(ln)
	if err != nil {
		select {
		case cerr := <-connected:
			return fmt.Errorf("accept: %v; the connecting side: %v", err, cerr)
		default:
			return fmt.Errorf("accept: %v; the connecting side is not done", err)
		}
	}
	defer syscall.Close(s)
	buf := make([]byte, 64)
	n, err := syscall.Read(s, buf)
	if err != nil || string(buf[:n]) != "blocking hello" {
		return fmt.Errorf("read %q, %v", buf[:max(n, 0)], err)
	}
	return <-connected
}

// sendfile sends a file's bytes to a connection with sendfile(2): from
// the file position, which moves, and from an offset passed by pointer,
// which moves instead; the ends of bad arguments are Linux's errnos.
func sendfile() error {
	f, err := os.CreateTemp("", "sendfile")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	data := bytes.Repeat([]byte("sendfile "), 20000)
	if _, err := f.Write(data); err != nil {
		return err
	}
	got := make(chan []byte, 1)
	ln, err := server(func(c net.Conn) {
		b, _ := io.ReadAll(c)
		got <- b
	})
	if err != nil {
		return err
	}
	defer ln.Close()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		return err
	}
	raw, err := c.(*net.TCPConn).File() // a blocking descriptor of its own
	c.Close()
	if err != nil {
		return err
	}
	defer raw.Close()
	out, in := int(raw.Fd()), int(f.Fd())
	if _, err := f.Seek(100, io.SeekStart); err != nil {
		return err
	}
	// From the position: 50 bytes at 100; the position moves to 150.
	if n, err := syscall.Sendfile(out, in, nil, 50); n != 50 || err != nil {
		return fmt.Errorf("sendfile from the position: %d, %v", n, err)
	}
	if pos, _ := f.Seek(0, io.SeekCurrent); pos != 150 {
		return fmt.Errorf("position %d after sendfile, want 150", pos)
	}
	// From an offset: the rest of the file from 0, the offset moving and
	// the position staying.
	var off int64
	for off < int64(len(data)) {
		n, err := syscall.Sendfile(out, in, &off, len(data))
		if err != nil || n == 0 {
			return fmt.Errorf("sendfile at %d: %d, %v", off, n, err)
		}
	}
	if pos, _ := f.Seek(0, io.SeekCurrent); pos != 150 {
		return fmt.Errorf("position %d after sendfile with an offset, want 150", pos)
	}
	if n, err := syscall.Sendfile(out, in, &off, 10); n != 0 || err != nil || off != int64(len(data)) {
		return fmt.Errorf("sendfile at the end: %d, %v, offset %d", n, err, off)
	}
	neg := int64(-1)
	if _, err := syscall.Sendfile(out, in, &neg, 10); err != syscall.EINVAL {
		return fmt.Errorf("sendfile from offset -1: %v, want EINVAL", err)
	}
	if _, err := syscall.Sendfile(out, 1000, nil, 10); err != syscall.EBADF {
		return fmt.Errorf("sendfile from a closed descriptor: %v, want EBADF", err)
	}
	if _, err := syscall.Sendfile(in, out, nil, 10); err != syscall.EINVAL {
		return fmt.Errorf("sendfile from a socket: %v, want EINVAL", err)
	}
	syscall.Shutdown(out, syscall.SHUT_WR)
	want := append(append([]byte(nil), data[100:150]...), data...)
	select {
	case b := <-got:
		if !bytes.Equal(b, want) {
			return fmt.Errorf("the peer read %d bytes, not the %d sent", len(b), len(want))
		}
	case <-time.After(30 * time.Second):
		return errors.New("the peer read nothing")
	}
	return nil
}

func interfaces() error {
	ifs, err := net.Interfaces()
	if err != nil {
		return err
	}
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return err
	}
	lo, err := net.InterfaceByName("lo")
	if err != nil || lo.Flags&net.FlagLoopback == 0 {
		return fmt.Errorf("lo: %+v, %v", lo, err)
	}
	fmt.Printf("sockprog: %d interfaces, addresses %v\n", len(ifs), addrs)
	return nil
}
