package qemu

import (
	"context"
	"io"
	"net"
	"os"
	"testing"
	"time"
)

// TestNetnsDial listens on the namespace's tap address and connects to it
// with DialContext: the address exists only inside the namespace.
func TestNetnsDial(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to create a network namespace")
	}
	RequireTools(t, "ip")
	n, err := NewNetns("warren-nstest")
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	var ln net.Listener
	if err := n.do(func() (err error) { ln, err = net.Listen("tcp", "10.0.3.1:0"); return err }); err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err == nil {
			c.Write([]byte("hi"))
			c.Close()
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := n.DialContext(ctx, "tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if b, err := io.ReadAll(c); err != nil || string(b) != "hi" {
		t.Fatalf("read %q, %v", b, err)
	}
}
