// Command udpstack sends UDP datagrams from fresh goroutines, whose small
// stacks grow during the call, with the payload and the destination's
// sockaddr on those stacks: net hands them to the syscall package's
// //go:noescape functions (SendtoInet4), and the socket hook must not
// read them at an address the stack has left (tools/build/stdhook.go).
package main

import (
	"fmt"
	"net"
	"os"
	"time"
)

func main() {
	c1, err := net.ListenPacket("udp", "127.0.0.1:0")
	check("listen", err)
	c2, err := net.ListenPacket("udp", "127.0.0.1:0")
	check("listen", err)
	dst := c1.LocalAddr()
	onNewGoroutine := func(f func() error) error {
		errc := make(chan error)
		go func() { errc <- f() }()
		return <-errc
	}
	heap := []byte("UDP SERVER TEST")
	failed := false
	for i, send := range []func() error{
		func() error { _, err := c2.WriteTo([]byte("UDP SERVER TEST"), dst); return err },
		func() error { _, err := c2.WriteTo(heap, dst); return err },
		func() error {
			c2.SetWriteDeadline(time.Now().Add(time.Minute))
			_, err := c2.WriteTo(heap, dst)
			return err
		},
		func() error {
			c2.SetReadDeadline(time.Now().Add(time.Minute))
			_, err := c2.WriteTo([]byte("UDP SERVER TEST"), dst)
			return err
		},
	} {
		if err := onNewGoroutine(send); err != nil {
			fmt.Printf("udpstack: send %d: FAIL: %v\n", i, err)
			failed = true
			continue
		}
		buf := make([]byte, 64)
		c1.SetReadDeadline(time.Now().Add(10 * time.Second))
		n, _, err := c1.ReadFrom(buf)
		if err != nil || string(buf[:n]) != "UDP SERVER TEST" {
			fmt.Printf("udpstack: receive %d: FAIL: %q %v\n", i, buf[:n], err)
			failed = true
		}
	}
	if failed {
		os.Exit(1)
	}
	fmt.Println("udpstack: ok")
}

func check(what string, err error) {
	if err != nil {
		fmt.Printf("udpstack: %s: %v\n", what, err)
		os.Exit(1)
	}
}
