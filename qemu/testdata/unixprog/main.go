// Command unixprog is an ordinary Go program with no Warren import that
// uses AF_UNIX sockets as Go programs do. With no arguments it runs its
// checks in one process: net/http over a path-named and an abstract
// stream socket, a socketpair between goroutines (raw blocking calls,
// then net.FileConn), unixgram, unixpacket, SCM_RIGHTS and
// SCM_CREDENTIALS; it ends with
// "unixprog: ok". With -serve NAME it serves HTTP on NAME until a request
// for /quit; with -get NAME it fetches / and then /quit from such a
// server, which may be another process. With -sendfd NAME it passes the
// read end of a pipe to the first connection on NAME, and -recvfd NAME
// reads the pipe through the descriptor it receives.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"syscall"
	"time"
)

func main() {
	serve := flag.String("serve", "", "serve HTTP on this unix socket name until /quit")
	get := flag.String("get", "", "fetch / and /quit from the server on this unix socket name")
	sendfd := flag.String("sendfd", "", "pass a pipe to the first connection on this unix socket name")
	recvfd := flag.String("recvfd", "", "read a pipe passed over this unix socket name")
	flag.Parse()
	switch {
	case *sendfd != "":
		if err := sendPipe(*sendfd); err != nil {
			fmt.Printf("unixprog: sendfd: FAIL: %v\n", err)
			os.Exit(1)
		}
		fmt.Println("unixprog: pipe sent")
	case *recvfd != "":
		if err := recvPipe(*recvfd); err != nil {
			fmt.Printf("unixprog: recvfd: FAIL: %v\n", err)
			os.Exit(1)
		}
		fmt.Println("unixprog: pipe received")
	case *serve != "":
		if err := serveUntilQuit(*serve); err != nil {
			fmt.Printf("unixprog: serve: FAIL: %v\n", err)
			os.Exit(1)
		}
		fmt.Println("unixprog: served")
	case *get != "":
		if err := fetch(*get); err != nil {
			fmt.Printf("unixprog: client: FAIL: %v\n", err)
			os.Exit(1)
		}
		fmt.Println("unixprog: client ok")
	default:
		checks()
	}
}

func checks() {
	failed := false
	for _, c := range []struct {
		name string
		fn   func() error
	}{
		{"http path", func() error { return httpLoop("/tmp/unixprog.sock") }},
		{"http abstract", func() error { return httpLoop("@unixprog") }},
		{"socketpair", socketpair},
		{"unixgram", unixgram},
		{"unixpacket", unixpacket},
		{"rights", rights},
		{"credentials", credentials},
	} {
		if err := c.fn(); err != nil {
			fmt.Printf("unixprog: %s: FAIL: %v\n", c.name, err)
			failed = true
			continue
		}
		fmt.Printf("unixprog: %s ok\n", c.name)
	}
	if failed {
		os.Exit(1)
	}
	fmt.Println("unixprog: ok")
}

// client is an HTTP client whose connections go to the unix socket name.
func client(name string) *http.Client {
	return &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", name)
		},
	}, Timeout: time.Minute}
}

// page answers every request with its path and the peer's address.
func page(w http.ResponseWriter, r *http.Request) {
	fmt.Fprintf(w, "unixprog page %s from %q", r.URL.Path, r.RemoteAddr)
}

// httpLoop serves HTTP on name and fetches pages over keep-alive and
// new connections in the same process.
func httpLoop(name string) error {
	ln, err := net.Listen("unix", name)
	if err != nil {
		return err
	}
	if got := ln.Addr().String(); got != name {
		return fmt.Errorf("listener address %q, want %q", got, name)
	}
	if name[0] == '/' {
		// A path name is a socket file while the listener lives.
		if fi, err := os.Stat(name); err != nil || fi.Mode().Type() != os.ModeSocket {
			return fmt.Errorf("stat %s: %v, %v; want a socket", name, fi, err)
		}
		if _, err := net.Listen("unix", name); err == nil {
			return fmt.Errorf("a second listener on %s", name)
		}
	}
	srv := &http.Server{Handler: http.HandlerFunc(page)}
	go srv.Serve(ln)
	c := client(name)
	for i := range 20 {
		path := fmt.Sprintf("/page/%d", i)
		if err := getPage(c, path); err != nil {
			return err
		}
		if i%5 == 4 {
			c.CloseIdleConnections()
		}
	}
	srv.Close()
	if name[0] == '/' {
		// Go unlinks a listener's socket file when it closes it.
		if _, err := os.Stat(name); !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("stat %s after Close: %v; want it gone", name, err)
		}
	}
	return nil
}

func getPage(c *http.Client, path string) error {
	resp, err := c.Get("http://unix" + path)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != 200 || !strings.HasPrefix(string(body), "unixprog page "+path) {
		return fmt.Errorf("GET %s: %d %q", path, resp.StatusCode, body)
	}
	return nil
}

// serveUntilQuit serves HTTP on name until a request for /quit.
func serveUntilQuit(name string) error {
	ln, err := net.Listen("unix", name)
	if err != nil {
		return err
	}
	fmt.Printf("unixprog: serving on %s\n", name)
	quit := make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("/", page)
	mux.HandleFunc("/quit", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "unixprog page /quit")
		close(quit)
	})
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln)
	select {
	case <-quit:
	case <-time.After(4 * time.Minute):
		return errors.New("no /quit in 4 minutes")
	}
	time.Sleep(100 * time.Millisecond) // let the answer go out
	return srv.Close()
}

// fetch gets / and /quit from another process's server, waiting for it
// to listen.
func fetch(name string) error {
	c := client(name)
	var err error
	for deadline := time.Now().Add(3 * time.Minute); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if err = getPage(c, "/from-another-process"); err == nil {
			break
		}
	}
	if err != nil {
		return err
	}
	return getPage(c, "/quit")
}

// socketpair passes bytes between goroutines over a socketpair: first
// with blocking read and write on the raw descriptors (forwarded calls),
// then through net.FileConn.
func socketpair() error {
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	msg := bytes.Repeat([]byte("socketpair "), 10000) // 110,000 bytes: more than one call moves
	done := make(chan error, 1)
	go func() {
		for rest := msg; len(rest) > 0; {
			n, err := syscall.Write(fds[0], rest)
			if err != nil {
				done <- err
				return
			}
			rest = rest[n:]
		}
		done <- syscall.Close(fds[0])
	}()
	var got []byte
	buf := make([]byte, 8192)
	for {
		n, err := syscall.Read(fds[1], buf)
		if err != nil {
			return fmt.Errorf("read: %v", err)
		}
		if n == 0 {
			break
		}
		got = append(got, buf[:n]...)
	}
	if err := <-done; err != nil {
		return fmt.Errorf("write: %v", err)
	}
	syscall.Close(fds[1])
	if !bytes.Equal(got, msg) {
		return fmt.Errorf("read %d bytes, want the %d written", len(got), len(msg))
	}

	fds, err = syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
	if err != nil {
		return err
	}
	var conns [2]net.Conn
	for i, fd := range fds {
		f := os.NewFile(uintptr(fd), fmt.Sprintf("pair%d", i))
		conns[i], err = net.FileConn(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("FileConn: %v", err)
		}
	}
	go func() {
		_, err := conns[0].Write([]byte("over net.Conn"))
		conns[0].Close()
		done <- err
	}()
	b, err := io.ReadAll(conns[1])
	conns[1].Close()
	if err != nil || string(b) != "over net.Conn" {
		return fmt.Errorf("FileConn read %q, %v", b, err)
	}
	return <-done
}

// unixgram sends datagrams between two bound sockets; each keeps its
// boundaries and names its sender.
func unixgram() error {
	a, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: "@unixprog-a", Net: "unixgram"})
	if err != nil {
		return err
	}
	defer a.Close()
	b, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: "@unixprog-b", Net: "unixgram"})
	if err != nil {
		return err
	}
	defer b.Close()
	for _, m := range []string{"first", "second datagram", "3"} {
		if _, err := a.WriteToUnix([]byte(m), b.LocalAddr().(*net.UnixAddr)); err != nil {
			return err
		}
	}
	b.SetReadDeadline(time.Now().Add(time.Minute))
	buf := make([]byte, 64)
	for _, want := range []string{"first", "second datagram", "3"} {
		n, from, err := b.ReadFromUnix(buf)
		if err != nil {
			return err
		}
		if string(buf[:n]) != want || from == nil || from.Name != "@unixprog-a" {
			return fmt.Errorf("read %q from %v, want %q from @unixprog-a", buf[:n], from, want)
		}
	}
	return nil
}

// unixpacket sends messages over a seqpacket connection: boundaries
// hold, and the end of the connection reads as EOF.
func unixpacket() error {
	ln, err := net.Listen("unixpacket", "@unixprog-packet")
	if err != nil {
		return err
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		for _, m := range []string{"one", "two two"} {
			c.Write([]byte(m))
		}
		c.Close()
	}()
	c, err := net.Dial("unixpacket", "@unixprog-packet")
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetReadDeadline(time.Now().Add(time.Minute))
	buf := make([]byte, 64)
	for _, want := range []string{"one", "two two"} {
		n, err := c.Read(buf)
		if err != nil || string(buf[:n]) != want {
			return fmt.Errorf("read %q, %v; want %q", buf[:n], err, want)
		}
	}
	if n, err := c.Read(buf); err != io.EOF {
		return fmt.Errorf("after the peer's close: %d, %v; want EOF", n, err)
	}
	return nil
}

// pipeText is what goes through a passed pipe.
const pipeText = "through a pipe passed with SCM_RIGHTS"

// sendPipe accepts one connection on name and passes it the read end of
// a pipe, then writes pipeText into the pipe.
func sendPipe(name string) error {
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: name, Net: "unix"})
	if err != nil {
		return err
	}
	defer ln.Close()
	c, err := ln.AcceptUnix()
	if err != nil {
		return err
	}
	defer c.Close()
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	if _, _, err := c.WriteMsgUnix([]byte("pipe"), syscall.UnixRights(int(r.Fd())), nil); err != nil {
		return err
	}
	r.Close() // the receiver's copy keeps the pipe open
	if _, err := io.WriteString(w, pipeText); err != nil {
		return err
	}
	w.Close()
	// Wait for the receiver to hang up, so it reads before we end.
	_, err = io.Copy(io.Discard, c)
	return err
}

// recvPipe connects to name, waiting for it to listen, receives a pipe
// and reads it to its end.
func recvPipe(name string) error {
	var (
		c   net.Conn
		err error
	)
	for deadline := time.Now().Add(3 * time.Minute); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if c, err = net.Dial("unix", name); err == nil {
			break
		}
	}
	if err != nil {
		return err
	}
	defer c.Close()
	f, err := receiveFile(c.(*net.UnixConn), "pipe")
	if err != nil {
		return err
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil || string(b) != pipeText {
		return fmt.Errorf("read %q, %v from the passed pipe", b, err)
	}
	return nil
}

// receiveFile reads a message that must be want and carry one
// descriptor, and returns it as a file.
func receiveFile(c *net.UnixConn, want string) (*os.File, error) {
	buf, oob := make([]byte, 64), make([]byte, syscall.CmsgSpace(4*4))
	c.SetReadDeadline(time.Now().Add(time.Minute))
	n, oobn, flags, _, err := c.ReadMsgUnix(buf, oob)
	if err != nil {
		return nil, err
	}
	msgs, err := syscall.ParseSocketControlMessage(oob[:oobn])
	if err != nil || len(msgs) != 1 || string(buf[:n]) != want || flags&syscall.MSG_CTRUNC != 0 {
		return nil, fmt.Errorf("received %q, flags %#x, %d control messages (%v)", buf[:n], flags, len(msgs), err)
	}
	fds, err := syscall.ParseUnixRights(&msgs[0])
	if err != nil || len(fds) != 1 {
		return nil, fmt.Errorf("rights %v, %v", fds, err)
	}
	return os.NewFile(uintptr(fds[0]), want), nil
}

// rights passes one end of a socketpair over another within the
// process, and talks through the received descriptor.
func rights() error {
	carrier, err := unixPair()
	if err != nil {
		return err
	}
	defer carrier[0].Close()
	defer carrier[1].Close()
	passed, err := unixPair()
	if err != nil {
		return err
	}
	defer passed[1].Close()
	f, err := passed[0].File()
	if err != nil {
		return err
	}
	_, _, err = carrier[0].WriteMsgUnix([]byte("socket"), syscall.UnixRights(int(f.Fd())), nil)
	f.Close()
	passed[0].Close()
	if err != nil {
		return err
	}
	g, err := receiveFile(carrier[1], "socket")
	if err != nil {
		return err
	}
	conn, err := net.FileConn(g)
	g.Close()
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.Write([]byte("via the passed socket")); err != nil {
		return err
	}
	buf := make([]byte, 64)
	passed[1].SetReadDeadline(time.Now().Add(time.Minute))
	n, err := passed[1].Read(buf)
	if err != nil || string(buf[:n]) != "via the passed socket" {
		return fmt.Errorf("read %q, %v", buf[:n], err)
	}
	return nil
}

// unixPair is a connected pair of stream sockets as net.UnixConns.
func unixPair() ([2]*net.UnixConn, error) {
	var conns [2]*net.UnixConn
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return conns, err
	}
	for i, fd := range fds {
		f := os.NewFile(uintptr(fd), "pair")
		c, err := net.FileConn(f)
		f.Close()
		if err != nil {
			return conns, err
		}
		conns[i] = c.(*net.UnixConn)
	}
	return conns, nil
}

// credentials sends a datagram with SCM_CREDENTIALS to a socket with
// SO_PASSCRED, which reads this process's id, as syscall's own test does,
// and checks SO_PEERCRED.
func credentials() error {
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_DGRAM, 0)
	if err != nil {
		return err
	}
	defer syscall.Close(fds[0])
	defer syscall.Close(fds[1])
	if err := syscall.SetsockoptInt(fds[1], syscall.SOL_SOCKET, syscall.SO_PASSCRED, 1); err != nil {
		return err
	}
	want := syscall.Ucred{Pid: int32(os.Getpid()), Uid: uint32(os.Getuid()), Gid: uint32(os.Getgid())}
	if err := syscall.Sendmsg(fds[0], []byte("cred"), syscall.UnixCredentials(&want), nil, 0); err != nil {
		return err
	}
	buf, oob := make([]byte, 16), make([]byte, syscall.CmsgSpace(syscall.SizeofUcred))
	_, oobn, _, _, err := syscall.Recvmsg(fds[1], buf, oob, 0)
	if err != nil {
		return err
	}
	msgs, err := syscall.ParseSocketControlMessage(oob[:oobn])
	if err != nil || len(msgs) != 1 {
		return fmt.Errorf("%d control messages, %v", len(msgs), err)
	}
	got, err := syscall.ParseUnixCredentials(&msgs[0])
	if err != nil || *got != want {
		return fmt.Errorf("credentials %+v, %v; want %+v", got, err, want)
	}
	peer, err := syscall.GetsockoptUcred(fds[0], syscall.SOL_SOCKET, syscall.SO_PEERCRED)
	if err != nil || *peer != want {
		return fmt.Errorf("SO_PEERCRED %+v, %v; want %+v", peer, err, want)
	}
	return nil
}
