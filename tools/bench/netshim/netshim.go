// Package net stands in for warren.dev/net when the examples are built as
// ordinary Linux programs for the benchmark's Linux guest: the benchmark
// builds them with a go build -overlay that replaces warren.dev/net's files
// with this one, so the examples' own source runs unchanged on the Linux
// kernel's network stack through the standard library.
//
// It has only what the examples use: the default stack, TCP and UDP
// sockets, and Live and Stats, which describe the guest from /proc.
package net

import (
	"errors"
	stdnet "net"
	"net/netip"
)

// Stack is the Linux kernel's network stack.
type Stack struct{}

// Default returns the kernel's stack: on Linux there always is one.
func Default() *Stack { return &Stack{} }

// ErrNoStack is never returned here; the examples name it.
var ErrNoStack = errors.New("net: no network stack")

// TCPListener is a listening TCP socket.
type TCPListener struct{ *stdnet.TCPListener }

// TCPConn is a TCP connection.
type TCPConn struct{ *stdnet.TCPConn }

// UDPConn is a UDP socket.
type UDPConn struct{ *stdnet.UDPConn }

// ListenTCP listens on ap (an invalid address: every address).
func (s *Stack) ListenTCP(ap netip.AddrPort) (*TCPListener, error) {
	l, err := stdnet.ListenTCP("tcp", tcpAddr(ap))
	if err != nil {
		return nil, err
	}
	return &TCPListener{l}, nil
}

// AcceptTCP waits for the next connection.
func (l *TCPListener) AcceptTCP() (*TCPConn, error) {
	c, err := l.TCPListener.AcceptTCP()
	if err != nil {
		return nil, err
	}
	return &TCPConn{c}, nil
}

// ListenUDP binds a UDP socket to ap (an invalid address: every address).
func (s *Stack) ListenUDP(ap netip.AddrPort) (*UDPConn, error) {
	c, err := stdnet.ListenUDP("udp", udpAddr(ap))
	if err != nil {
		return nil, err
	}
	return &UDPConn{c}, nil
}

// DialUDP makes a UDP socket sending to raddr.
func (s *Stack) DialUDP(laddr, raddr netip.AddrPort) (*UDPConn, error) {
	var la *stdnet.UDPAddr
	if laddr.IsValid() {
		la = stdnet.UDPAddrFromAddrPort(laddr)
	}
	c, err := stdnet.DialUDP("udp", la, stdnet.UDPAddrFromAddrPort(raddr))
	if err != nil {
		return nil, err
	}
	return &UDPConn{c}, nil
}

func tcpAddr(ap netip.AddrPort) *stdnet.TCPAddr {
	if !ap.Addr().IsValid() {
		return &stdnet.TCPAddr{Port: int(ap.Port())}
	}
	return stdnet.TCPAddrFromAddrPort(ap)
}

func udpAddr(ap netip.AddrPort) *stdnet.UDPAddr {
	if !ap.Addr().IsValid() {
		return &stdnet.UDPAddr{Port: int(ap.Port())}
	}
	return stdnet.UDPAddrFromAddrPort(ap)
}
