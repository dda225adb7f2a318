package e1000_test

import (
	"bytes"
	"context"
	"io"
	"net"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"warren.dev/qemu"
	"warren.dev/tools/build"
)

// TestQEMU runs testdata/e1000probe on QEMU's models of the 82540EM,
// 82545EM and 82574L behind its user-mode network: ARP, a ping with the
// IP checksum offloaded, and a TCP connection to a listener here carrying
// 20000 bytes in one segmentation-offload frame.
func TestQEMU(t *testing.T) {
	qemu.RequireTools(t, qemu.Binary)
	if testing.Short() {
		t.Skip("boots QEMU")
	}
	_, self, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(self), "..", "..")
	image := filepath.Join(t.TempDir(), "probe.elf")
	if _, err := build.Build(context.Background(), build.Config{Root: root, Dir: root}, "./drivers/e1000/testdata/e1000probe", image); err != nil {
		t.Fatal(err)
	}
	for _, model := range []string{"e1000", "e1000-82545em", "e1000e"} {
		t.Run(model, func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			got := make(chan []byte, 1)
			go func() {
				c, err := ln.Accept()
				if err != nil {
					got <- nil
					return
				}
				defer c.Close()
				c.SetDeadline(time.Now().Add(2 * time.Minute))
				b, _ := io.ReadAll(c)
				got <- b
			}()
			port := ln.Addr().(*net.TCPAddr).Port
			cmdline, err := build.Cmdline(nil, []string{strconv.Itoa(port)})
			if err != nil {
				t.Fatal(err)
			}
			m := qemu.Machine{
				Image:     image,
				Append:    cmdline,
				Timeout:   2 * time.Minute,
				ExtraArgs: []string{"-nic", "user,model=" + model},
			}
			res, err := m.Run(context.Background())
			out := strings.ReplaceAll(string(res.Output), "\r\n", "\n")
			t.Log("\n" + out)
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"open ok", "arp ok", "ping ok", "tso ok", "tcp closed", "e1000probe ok"} {
				if !strings.Contains(out, want) {
					t.Errorf("output lacks %q", want)
				}
			}
			if res.Status != 0 {
				t.Errorf("exit status %d", res.Status)
			}
			select {
			case b := <-got:
				want := make([]byte, 20000)
				for i := range want {
					want[i] = byte(i * 7)
				}
				if !bytes.HasPrefix(want, b) || len(b) < 1000 {
					t.Errorf("listener received %d bytes, not the probe's pattern", len(b))
				} else {
					t.Logf("listener received %d bytes", len(b))
				}
			case <-time.After(10 * time.Second):
				t.Error("listener got nothing")
			}
		})
	}
}
