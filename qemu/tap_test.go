package qemu_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"warren.dev/qemu"
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
			g := startTapGuest(t, ns, "examples/httpd", model, "ip="+qemu.TapGuestV4+","+qemu.TapGuestV6+" gw=10.0.3.1")
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
