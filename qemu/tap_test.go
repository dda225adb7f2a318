package qemu_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"warren.dev/qemu"
	"warren.dev/tools/build"
)

// newNetns makes a network namespace with a tap device for the test and
// deletes it when the test ends.
func newNetns(t *testing.T) *qemu.Netns {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("tap tests need root to create a network namespace")
	}
	qemu.RequireTools(t, "ip", "ping", "curl")
	n, err := qemu.NewNetns("warren")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
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
			wrapper, err := ns.QEMUWrapper(dir)
			if err != nil {
				t.Fatal(err)
			}
			g := &guest{t: t, done: make(chan struct{})}
			ctx, cancel := context.WithCancel(context.Background())
			m := qemu.Machine{
				QEMU: wrapper, Image: image, Memory: "128M", Timeout: 5 * time.Minute, Stdout: g,
				Append:    "ip=" + qemu.TapGuestV4 + "," + qemu.TapGuestV6 + " gw=10.0.3.1",
				ExtraArgs: qemu.TapArgs(model),
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
				if out, err := ns.Run("ping", "-c", "3", "-W", "10", target); err != nil {
					t.Errorf("ping %s: %v\n%s", target, err, out)
				}
			}
			out, err := ns.Run("curl", "-sS", "--max-time", "60", "http://10.0.3.2/")
			if err != nil || !strings.Contains(strings.ToLower(out), "warren") {
				t.Errorf("curl: %v\n%s", err, out)
			}
		})
	}
}
