package qemu_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"warren.dev/qemu"
	"warren.dev/tools/build"
)

// nicModels are the NIC models every network test runs on.
var nicModels = []string{"virtio-net-pci", "e1000"}

// guest is a machine booted in the background for network tests.
type guest struct {
	t      *testing.T
	port   int // host port forwarded to the guest's service
	cancel context.CancelFunc
	done   chan struct{}
	mu     sync.Mutex
	out    bytes.Buffer
	status int
	err    error
}

func (g *guest) Write(p []byte) (int, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.out.Write(p)
}

func (g *guest) output() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.out.String()
}

// waitFor waits until the console shows s, the machine stops, or the
// deadline passes.
func (g *guest) waitFor(s string, d time.Duration) {
	g.t.Helper()
	deadline := time.Now().Add(d)
	for !strings.Contains(g.output(), s) {
		select {
		case <-g.done:
			g.t.Fatalf("machine stopped (status %d, %v) before printing %q:\n%s", g.status, g.err, s, g.output())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			g.t.Fatalf("no %q after %v:\n%s", s, d, g.output())
		}
	}
}

// freePort finds a host port for a forward.
func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// bootGuest builds the package in directory dir of this repository and
// boots it on m in the background; the machine stops when the test ends.
// m.Image is set here; m.Stdout and m.Timeout get defaults.
func bootGuest(t *testing.T, dir string, m qemu.Machine) *guest {
	t.Helper()
	qemu.RequireTools(t, qemu.Binary)
	m.Image = buildExample(t, dir)
	return runGuest(t, m)
}

// runGuest boots a built machine in the background; the test's cleanup
// stops it and, if the test failed, logs its console.
func runGuest(t *testing.T, m qemu.Machine) *guest {
	t.Helper()
	g := &guest{t: t, done: make(chan struct{})}
	m.Stdout = g
	if m.Timeout == 0 {
		m.Timeout = 5 * time.Minute
	}
	if m.Memory == "" {
		m.Memory = "128M"
	}
	ctx, cancel := context.WithCancel(context.Background())
	g.cancel = cancel
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
	return g
}

// userNetwork is QEMU's arguments for a NIC of the given model on the
// user network, forwarding a free host port (TCP and UDP) to guestPort.
func userNetwork(t *testing.T, model string, guestPort int) (args []string, port int) {
	port = freePort(t)
	return []string{
		"-netdev", fmt.Sprintf("user,id=n0,hostfwd=tcp:127.0.0.1:%d-:%d,hostfwd=udp:127.0.0.1:%d-:%d", port, guestPort, port, guestPort),
		"-device", model + ",netdev=n0",
	}, port
}

// startGuest boots dir with cpus vCPUs (0: QEMU's one) and a NIC of the
// given model on QEMU's user network, forwarding a host port (TCP and
// UDP) to guestPort.
func startGuest(t *testing.T, dir, model string, cpus, guestPort int, cmdline ...string) *guest {
	t.Helper()
	line, err := build.Cmdline(cmdline, nil)
	if err != nil {
		t.Fatal(err)
	}
	args, port := userNetwork(t, model, guestPort)
	g := bootGuest(t, dir, qemu.Machine{Append: line, CPUs: cpus, ExtraArgs: args})
	g.port = port
	return g
}

// startTapGuest boots dir with a NIC of the given model on the tap device
// of ns; QEMU runs inside the namespace, where the device is.
func startTapGuest(t *testing.T, ns *qemu.Netns, dir, model, cmdline string) *guest {
	t.Helper()
	wrapper, err := ns.QEMUWrapper(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return bootGuest(t, dir, qemu.Machine{QEMU: wrapper, Append: cmdline, ExtraArgs: qemu.TapArgs(model)})
}

// TestEcho sends 16 MiB through the TCP echo server and a datagram
// through the UDP one, with a static address.
func TestEcho(t *testing.T) {
	for _, model := range nicModels {
		t.Run(model, func(t *testing.T) {
			g := startGuest(t, "examples/echo", model, 0, 7, "ip=10.0.2.15/24", "gw=10.0.2.2")
			g.waitFor("echo: serving", 2*time.Minute)

			addr := fmt.Sprint("127.0.0.1:", g.port)
			if err := echoRoundTrip(addr, 16<<20, 3*time.Minute); err != nil {
				t.Fatal(err)
			}
			if err := udpEcho(addr, "ping over udp"); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestHTTPD fetches the page from the HTTP example, configured by DHCP
// from QEMU's user network.
func TestHTTPD(t *testing.T) {
	type run struct {
		model string
		cpus  int
	}
	var runs []run
	for _, model := range nicModels {
		runs = append(runs, run{model, 0})
	}
	// The program's threads on both CPUs.
	runs = append(runs, run{nicModels[0], 2})
	for _, r := range runs {
		name := r.model
		if r.cpus > 0 {
			name += fmt.Sprintf("/smp%d", r.cpus)
		}
		t.Run(name, func(t *testing.T) {
			g := startGuest(t, "examples/httpd", r.model, r.cpus, 80, "ip=dhcp")
			if r.cpus > 0 {
				g.waitFor(fmt.Sprintf("warren: cpus: %d online", r.cpus), 2*time.Minute)
			}
			g.waitFor("httpd: serving", 2*time.Minute)
			if !strings.Contains(g.output(), "10.0.2.15") {
				t.Errorf("DHCP did not configure 10.0.2.15")
			}
			c := &http.Client{Timeout: time.Minute}
			resp, err := c.Get(fmt.Sprintf("http://127.0.0.1:%d/", g.port))
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || len(body) == 0 {
				t.Fatalf("status %d, %d bytes", resp.StatusCode, len(body))
			}
			resp, err = c.Get(fmt.Sprintf("http://127.0.0.1:%d/stats", g.port))
			if err != nil {
				t.Fatal(err)
			}
			stats, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if !strings.Contains(string(stats), "eth0") {
				t.Errorf("stats page lacks the NIC:\n%s", stats)
			}
		})
	}
}
