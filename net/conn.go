package net

import (
	stdnet "net"
	"time"

	"gvisor.dev/gvisor/pkg/tcpip/adapters/gonet"
)

// TCPConn is a TCP connection of the in-program netstack API: a net.Conn
// with deadlines, CloseRead and CloseWrite.
type TCPConn struct {
	*gonet.TCPConn
}

// Close closes the connection. It first clears the deadlines: gonet leaves
// their timers running, and each would keep the connection's memory alive
// until it fired.
func (c *TCPConn) Close() error {
	c.TCPConn.SetDeadline(time.Time{})
	return c.TCPConn.Close()
}

// TCPListener is a listening TCP socket; Accept returns *TCPConn.
type TCPListener struct {
	*gonet.TCPListener
}

// Accept waits for the next connection.
func (l *TCPListener) Accept() (stdnet.Conn, error) {
	c, err := l.AcceptTCP()
	if err != nil {
		return nil, err
	}
	return c, nil
}

// AcceptTCP is Accept with the concrete type.
func (l *TCPListener) AcceptTCP() (*TCPConn, error) {
	c, err := l.TCPListener.Accept()
	if err != nil {
		return nil, err
	}
	return &TCPConn{c.(*gonet.TCPConn)}, nil
}

// UDPConn is a UDP socket of the in-program netstack API: a net.Conn when
// connected, and a net.PacketConn.
type UDPConn struct {
	*gonet.UDPConn
}

// Close closes the socket, clearing the deadlines first (see TCPConn).
func (c *UDPConn) Close() error {
	c.UDPConn.SetDeadline(time.Time{})
	return c.UDPConn.Close()
}
