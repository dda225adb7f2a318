package qemu_test

import (
	"net/netip"
	"strings"
	"testing"
	"time"
)

// TestUnmodifiedProgram boots qemu/testdata/netprog, a Go program with no
// Warren import, on a tap device: it serves HTTP with net.Listen, fetches
// from itself, exchanges UDP, lists interfaces and resolves a name through
// the test's own DNS server; then the host fetches its page.
func TestUnmodifiedProgram(t *testing.T) {
	for _, model := range nicModels {
		t.Run(model, func(t *testing.T) {
			ns := newNetns(t, "curl")
			dns, err := ns.ListenPacket("udp", "10.0.3.1:53")
			if err != nil {
				t.Fatal(err)
			}
			defer dns.Close()
			go serveDNS(dns, map[string]netip.Addr{"warren.test.": netip.MustParseAddr("10.0.3.77")})

			g := startTapGuest(t, ns, "qemu/testdata/netprog", model, "ip=10.0.3.2/24 gw=10.0.3.1 dns=10.0.3.1 -- -resolve warren.test")
			g.waitFor("netprog: serving", 3*time.Minute)
			out := g.output()
			for _, want := range []string{
				`get: 200 "netprog says hello\n"`,
				`udp: "datagram" from 127.0.0.1`,
				"interface lo up|loopback",
				"interface eth0 up|broadcast|multicast|running [10.0.3.2/24",
				"resolve warren.test: [10.0.3.77]",
			} {
				if !strings.Contains(out, want) {
					t.Errorf("console lacks %q", want)
				}
			}
			page, err := ns.Run("curl", "-sS", "--max-time", "60", "http://10.0.3.2/")
			if err != nil || !strings.Contains(page, "netprog says hello") {
				t.Errorf("curl: %v\n%s", err, page)
			}
		})
	}
}

// TestSocketLayer boots qemu/testdata/sockprog, an unmodified program
// that works the socket layer over loopback: bulk and concurrent TCP,
// io.Copy between connections, deadlines, a listener closed under
// Accept, addresses bound again as soon as closed, UDP bursts, blocking
// sockets and the interface table.
func TestSocketLayer(t *testing.T) {
	out, status, err := bootExample(t, "qemu/testdata/sockprog", boot{Memory: "256M", Timeout: 5 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "sockprog: ok") || status != 0 {
		t.Errorf("status %d; the console does not end with sockprog: ok", status)
	}
}

// TestUDPStackBuffers boots qemu/testdata/udpstack: UDP sends from fresh
// goroutines whose payload and sockaddr sit on a stack that moves during
// the call, which the socket hook read at the old address (EFAULT) while
// net's callers kept them there under internal/syscall/unix's noescape.
func TestUDPStackBuffers(t *testing.T) {
	out, status, err := bootExample(t, "qemu/testdata/udpstack", boot{Memory: "256M", Timeout: 2 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "udpstack: ok") || status != 0 {
		t.Errorf("status %d; the console does not end with udpstack: ok", status)
	}
}
