package qemu_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"warren.dev/qemu"
	"warren.dev/tools/build"
)

// netns is a network namespace the test creates, holding a tap device
// the guest's NIC is attached to: only the test's own addresses are ever
// reached.
type netns struct {
	t    *testing.T
	name string
}

func (n *netns) run(args ...string) (string, error) {
	cmd := exec.Command("ip", append([]string{"netns", "exec", n.name}, args...)...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func newNetns(t *testing.T) *netns {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("tap tests need root to create a network namespace")
	}
	qemu.RequireTools(t, "ip", "ping", "curl")
	n := &netns{t: t, name: fmt.Sprintf("warren-%d-%d", os.Getpid(), time.Now().UnixNano()%100000)}
	if out, err := exec.Command("ip", "netns", "add", n.name).CombinedOutput(); err != nil {
		t.Fatalf("ip netns add: %v\n%s", err, out)
	}
	t.Cleanup(func() { exec.Command("ip", "netns", "del", n.name).Run() })
	for _, c := range [][]string{
		{"ip", "link", "set", "lo", "up"},
		{"ip", "tuntap", "add", "dev", "wtap0", "mode", "tap"},
		{"ip", "addr", "add", "10.0.3.1/24", "dev", "wtap0"},
		{"ip", "-6", "addr", "add", "fd00:3::1/64", "dev", "wtap0", "nodad"},
		{"ip", "link", "set", "wtap0", "up"},
	} {
		if out, err := n.run(c...); err != nil {
			t.Fatalf("%v: %v\n%s", c, err, out)
		}
	}
	return n
}

// TestTap boots the HTTP example on a tap device in the test's own
// namespace, pings it over IPv4 and IPv6 and fetches the page.
func TestTap(t *testing.T) {
	for _, model := range nicModels {
		t.Run(model, func(t *testing.T) {
			ns := newNetns(t)
			root := repoRoot(t)
			dir := t.TempDir()
			image := filepath.Join(dir, "warren.elf")
			if _, err := build.Build(context.Background(), build.Config{Root: root, Dir: root}, "./examples/httpd", image); err != nil {
				t.Fatal(err)
			}
			// QEMU runs inside the namespace, where the tap device is.
			wrapper := filepath.Join(dir, "qemu-in-netns")
			script := fmt.Sprintf("#!/bin/sh\nexec ip netns exec %s %s \"$@\"\n", ns.name, qemu.Binary)
			if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
				t.Fatal(err)
			}
			g := &guest{t: t, done: make(chan struct{})}
			ctx, cancel := context.WithCancel(context.Background())
			m := qemu.Machine{
				QEMU: wrapper, Image: image, Memory: "128M", Timeout: 5 * time.Minute, Stdout: g,
				Append: "ip=10.0.3.2/24,fd00:3::2/64 gw=10.0.3.1",
				ExtraArgs: []string{
					"-netdev", "tap,id=n0,ifname=wtap0,script=no,downscript=no",
					"-device", model + ",netdev=n0",
				},
			}
			go func() {
				res, err := m.Run(ctx)
				g.status, g.err = res.Status, err
				close(g.done)
			}()
			t.Cleanup(func() {
				cancel()
				<-g.done
				if t.Failed() {
					t.Logf("console:\n%s", g.output())
				}
			})
			g.waitFor("httpd: serving", 2*time.Minute)
			for _, target := range []string{"10.0.3.2", "fd00:3::2"} {
				if out, err := ns.run("ping", "-c", "3", "-W", "10", target); err != nil {
					t.Errorf("ping %s: %v\n%s", target, err, out)
				}
			}
			out, err := ns.run("curl", "-sS", "--max-time", "60", "http://10.0.3.2/")
			if err != nil || !strings.Contains(strings.ToLower(out), "warren") {
				t.Errorf("curl: %v\n%s", err, out)
			}
		})
	}
}
