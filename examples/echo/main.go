// Command echo is a TCP and UDP echo server (RFC 862) on Warren's network
// stack. At start it sends "Hello, network!" by UDP to the gateway, or to
// the address given with -hello or $ECHO_HELLO, so a listener on the host
// sees the guest come up.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net/netip"
	"os"
	"strings"

	wnet "warren.dev/net"
)

var (
	port  = flag.Int("port", 7, "the port to echo on, TCP and UDP")
	hello = flag.String("hello", os.Getenv("ECHO_HELLO"), "ADDR[:PORT] to greet at start; default the IPv4 gateway, port 7")
)

func main() {
	flag.Parse()
	s := wnet.Default()
	if s == nil {
		log.Fatal(wnet.ErrNoStack)
	}
	fmt.Print(s.Live())
	srv, err := listen(s, uint16(*port))
	if err != nil {
		log.Fatal(err)
	}
	if err := greet(s, *hello, uint16(*port)); err != nil {
		log.Print(err)
	}
	fmt.Printf("echo: serving TCP and UDP on port %d\n", *port)
	log.Fatal(srv.serve())
}

// server holds the echo sockets.
type server struct {
	tcp *wnet.TCPListener
	udp *wnet.UDPConn
}

func listen(s *wnet.Stack, port uint16) (*server, error) {
	all := netip.AddrPortFrom(netip.Addr{}, port)
	tl, err := s.ListenTCP(all)
	if err != nil {
		return nil, err
	}
	ul, err := s.ListenUDP(all)
	if err != nil {
		tl.Close()
		return nil, err
	}
	return &server{tcp: tl, udp: ul}, nil
}

// serve echoes until the sockets are closed.
func (srv *server) serve() error {
	go srv.serveUDP()
	for {
		c, err := srv.tcp.AcceptTCP()
		if err != nil {
			return err
		}
		go func() {
			defer c.Close()
			io.Copy(c, c)
		}()
	}
}

func (srv *server) serveUDP() {
	buf := make([]byte, 65536)
	for {
		n, from, err := srv.udp.ReadFrom(buf)
		if err != nil {
			return
		}
		srv.udp.WriteTo(buf[:n], from)
	}
}

func (srv *server) close() {
	srv.tcp.Close()
	srv.udp.Close()
}

// greet sends the greeting datagram to target, or to the gateway.
func greet(s *wnet.Stack, target string, defPort uint16) error {
	dst, err := greetAddr(s, target, defPort)
	if err != nil {
		return err
	}
	c, err := s.DialUDP(netip.AddrPort{}, dst)
	if err != nil {
		return fmt.Errorf("greet %v: %w", dst, err)
	}
	defer c.Close()
	if _, err := c.Write([]byte("Hello, network!\n")); err != nil {
		return fmt.Errorf("greet %v: %w", dst, err)
	}
	fmt.Printf("echo: said hello to %v\n", dst)
	return nil
}

func greetAddr(s *wnet.Stack, target string, defPort uint16) (netip.AddrPort, error) {
	if target == "" {
		gw := s.Live().Gateway(true)
		if !gw.IsValid() {
			return netip.AddrPort{}, errors.New("greet: no gateway and no -hello address")
		}
		return netip.AddrPortFrom(gw, defPort), nil
	}
	if ap, err := netip.ParseAddrPort(target); err == nil {
		return ap, nil
	}
	a, err := netip.ParseAddr(strings.Trim(target, "[]"))
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("greet: %q is not ADDR or ADDR:PORT", target)
	}
	return netip.AddrPortFrom(a, defPort), nil
}
