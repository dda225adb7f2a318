package qemu_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"warren.dev/qemu"
)

// newNetns makes a network namespace with a tap device for the test and
// deletes it when the test ends; tools are the other host programs the
// test runs.
func newNetns(t *testing.T, tools ...string) *qemu.Netns {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("tap tests need root to create a network namespace")
	}
	qemu.RequireTools(t, append([]string{"ip"}, tools...)...)
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
			ns := newNetns(t, "ping", "curl")
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

// TestDHCPNoServer boots with ip=dhcp on a tap device whose network has
// no DHCP server: after dhcp_timeout the kernel says DHCP got no answer,
// and the program's main runs.
func TestDHCPNoServer(t *testing.T) {
	for _, model := range nicModels {
		t.Run(model, func(t *testing.T) {
			ns := newNetns(t)
			wrapper, err := ns.QEMUWrapper(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			out, status, err := bootExample(t, "examples/hello", boot{
				Options: []string{"ip=dhcp", "dhcp_timeout=2s"},
				QEMU:    wrapper,
				NIC:     qemu.TapArgs(model),
			})
			if err != nil {
				t.Fatal(err)
			}
			const line = "warren: network: net: eth0: DHCP got no answer in 2s; going on without an IPv4 address, still asking\n"
			i, j := strings.Index(out, line), strings.Index(out, "hello from warren\n")
			if i < 0 || j < i {
				t.Errorf("console lacks %q followed by main's line", line)
			}
			if status != 0 {
				t.Errorf("exit status %d, want 0", status)
			}
		})
	}
}
