package qemu_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"warren.dev/qemu"
	"warren.dev/system/statpage"
	"warren.dev/tools/build"
)

// plainhttpBuild is examples/plainhttp built by plain go build, for the
// ring-3 runs.
var plainhttpBuild hostBuild

// Guest ports of examples/plainhttp (its defaults) and of the counters.
const (
	plainHTTPPort = 8080
	plainEchoPort = 7007
	statsPort     = 9100
)

// statsGuest is examples/plainhttp booted with warren.stats=9100 on QEMU's
// user network, its three ports forwarded from the host.
type statsGuest struct {
	*guest
	http, echo, stats string // host addresses
}

// statsNetwork is QEMU's arguments for a NIC forwarding a free host port
// to each of plainhttp's ports and the counters'.
func statsNetwork(t *testing.T, model string) ([]string, *statsGuest) {
	h, e, s := freePort(t), freePort(t), freePort(t)
	fwd := fmt.Sprintf("user,id=n0,hostfwd=tcp:127.0.0.1:%d-:%d,hostfwd=tcp:127.0.0.1:%d-:%d,hostfwd=tcp:127.0.0.1:%d-:%d",
		h, plainHTTPPort, e, plainEchoPort, s, statsPort)
	return []string{"-netdev", fwd, "-device", model + ",netdev=n0"}, &statsGuest{
		http: fmt.Sprint("127.0.0.1:", h), echo: fmt.Sprint("127.0.0.1:", e), stats: fmt.Sprint("127.0.0.1:", s),
	}
}

var statsOptions = []string{"ip=10.0.2.15/24", "gw=10.0.2.2", fmt.Sprintf("warren.stats=%d", statsPort)}

// bootStatsGuest boots plainhttp, built into the image or (ring3) as a
// ring-3 process, and waits for it to serve.
func bootStatsGuest(t *testing.T, model string, ring3 bool, cpus int) *statsGuest {
	t.Helper()
	args, sg := statsNetwork(t, model)
	if ring3 {
		prog := userProgram{"plainhttp", goProgram(t, &plainhttpBuild, "examples/plainhttp"), nil}
		m, err := userMachine(userImage(t, prog), statsOptions...)
		if err != nil {
			t.Fatal(err)
		}
		m.ExtraArgs, m.CPUs = args, cpus
		sg.guest = runGuest(t, m)
	} else {
		line, err := build.Cmdline(statsOptions, nil)
		if err != nil {
			t.Fatal(err)
		}
		sg.guest = bootGuest(t, "examples/plainhttp", qemu.Machine{Append: line, ExtraArgs: args, CPUs: cpus})
	}
	sg.waitFor("plainhttp: HTTP on :8080", 3*time.Minute)
	return sg
}

// counters reads the page, retrying while the guest's forward is not
// yet answered.
func (g *statsGuest) counters(t *testing.T) map[string]uint64 {
	t.Helper()
	c := &http.Client{Timeout: time.Minute}
	code, body := httpGet(t, c, "http://"+g.stats+"/", time.Minute)
	if code != 200 {
		t.Fatalf("GET counters: %d %q", code, body)
	}
	m, err := statpage.Parse(body)
	if err != nil {
		t.Fatalf("%v\n%s", err, body)
	}
	return m
}

// TestStatsEndpoint boots examples/plainhttp, a service that knows
// nothing of Warren, with warren.stats=PORT: built into the image, and as
// a ring-3 process. The page lists the kernel's, netstack's and the NIC
// driver's counters, and they move with the service's HTTP and echo
// traffic as they should: system calls forwarded to the socket layer,
// frames, segments, interrupts, bytes copied, and for the process its
// own calls.
func TestStatsEndpoint(t *testing.T) {
	for _, model := range nicModels {
		for _, ring3 := range []bool{false, true} {
			name := model + "/image"
			if ring3 {
				name = model + "/ring3"
			}
			t.Run(name, func(t *testing.T) { checkStats(t, model, ring3) })
		}
	}
}

func checkStats(t *testing.T, model string, ring3 bool) {
	g := bootStatsGuest(t, model, ring3, 1)
	before := g.counters(t)
	driver := map[string]string{"virtio-net-pci": "nic.eth0.driver.TXWaitKicks", "e1000": "nic.eth0.driver.Interrupts"}[model]
	for _, name := range []string{
		"kernel.Traps", "kernel.Syscalls", "kernel.syscall.socket", "kernel.syscall.warren_stats", "kernel.ContextSwitches",
		"netstack.TCP.Retransmits", "netstack.TCP.Timeouts", "netstack.TCP.SlowStartRetransmits", "netstack.TCP.FastRetransmit",
		"nic.eth0.link.RxPackets", driver,
	} {
		if _, ok := before[name]; !ok {
			t.Errorf("the page lacks %s", name)
		}
	}
	if before["kernel.syscall.socket"] == 0 || before["kernel.Traps"] < before["kernel.Syscalls"] {
		t.Errorf("kernel counters at the start: socket calls %d, traps %d, system calls %d",
			before["kernel.syscall.socket"], before["kernel.Traps"], before["kernel.Syscalls"])
	}
	// One CPU: nothing to shoot down or wake.
	for _, name := range []string{"kernel.Shootdowns", "kernel.ReschedIPIs", "kernel.LockWaits", "kernel.LockWaitNanos"} {
		if v, ok := before[name]; !ok || v != 0 {
			t.Errorf("%s: %d (listed %v), want 0 on one CPU", name, v, ok)
		}
	}

	const requests, echoBytes = 100, 256 << 10
	c := &http.Client{Timeout: time.Minute}
	for i := range requests {
		resp, err := c.Get("http://" + g.http + "/1k")
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		n, err := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 || n != 1<<10 {
			t.Fatalf("request %d: %s, %d bytes, %v", i, resp.Status, n, err)
		}
	}
	// Each answer carries the acknowledgement of its request (netstack's
	// delayed ACK, tools/build/netstackfix/delack.go.in): about one
	// segment out a request, against two when netstack acknowledged each
	// request at once. The page read before the requests is sent in
	// this interval too: a few dozen segments at most.
	mid := g.counters(t)
	if sent := mid["netstack.TCP.SegmentsSent"] - before["netstack.TCP.SegmentsSent"]; sent > requests*3/2 {
		t.Errorf("%d TCP segments out for %d requests on one connection, want about one each", sent, requests)
	} else {
		t.Logf("%d TCP segments out for %d requests", sent, requests)
	}
	if err := echoRoundTrip(g.echo, echoBytes, 2*time.Minute); err != nil {
		t.Fatal(err)
	}
	after := g.counters(t)

	for name, b := range before {
		if strings.HasPrefix(name, "kernel.") && after[name] < b {
			t.Errorf("%s went back from %d to %d", name, b, after[name])
		}
	}
	d := func(name string) uint64 { return after[name] - before[name] }
	t.Logf("%d requests and a %d KiB echo: %d system calls (%d by processes), %d forwarded, %d traps, %d switches, %d wake-ups, %d device interrupts, %d frames in, %d out, %d bytes copied in, %d out",
		requests, echoBytes>>10, d("kernel.Syscalls"), d("kernel.ProcSyscalls"), d("kernel.Forwarded"), d("kernel.Traps"), d("kernel.ContextSwitches"),
		d("kernel.Wakeups"), d("kernel.DeviceInterrupts"), d("nic.eth0.link.RxPackets"), d("nic.eth0.link.TxPackets"), d("kernel.CopyInBytes"), d("kernel.CopyOutBytes"))
	type minimum struct {
		name string
		min  uint64
	}
	mins := []minimum{
		{"kernel.Syscalls", 2 * requests},
		{"kernel.Traps", 2 * requests},
		{"kernel.DeviceInterrupts", 1},
		{"kernel.ContextSwitches", 1},
		{"kernel.Wakeups", 1},
		{"nic.eth0.link.RxPackets", requests},
		{"nic.eth0.link.TxPackets", requests},
		{"netstack.TCP.ValidSegmentsReceived", requests},
		{"netstack.TCP.SegmentsSent", requests},
	}
	if ring3 {
		// A process's socket calls are forwarded, and their bytes copied
		// through the kernel.
		mins = append(mins,
			minimum{"kernel.Forwarded", requests},                       // a read and a write per request at least, and the echo's
			minimum{"kernel.SockCopyBytes", 2*echoBytes + requests<<10}, // the echo in and out, the pages out
			minimum{"kernel.CopyInBytes", echoBytes},
			minimum{"kernel.CopyOutBytes", echoBytes})
	} else if lookups, fwd := d("kernel.syscall.warren_sock_lookup"), d("kernel.Forwarded"); lookups >= requests || fwd >= requests {
		// The program serves its own calls on non-blocking sockets
		// (docs/socket-path.md), and looks a descriptor up again only
		// when its table has changed: the requests share one connection.
		t.Errorf("%d requests on one connection: %d descriptor lookups, %d forwarded calls", requests, lookups, fwd)
	}
	for _, c := range mins {
		if got := d(c.name); got < c.min {
			t.Errorf("%s moved by %d, want at least %d", c.name, got, c.min)
		}
	}
	if ring3 {
		if d("kernel.ProcSyscalls") < 2*requests || d("kernel.ProcForwarded") < requests {
			t.Errorf("the process's calls: %d system calls, %d forwarded", d("kernel.ProcSyscalls"), d("kernel.ProcForwarded"))
		}
	} else {
		if d("kernel.ProcSyscalls") != 0 || d("kernel.ProcForwarded") != 0 {
			t.Errorf("no process runs, yet %d process system calls, %d forwarded", d("kernel.ProcSyscalls"), d("kernel.ProcForwarded"))
		}
		// Nothing was forwarded, though the echo's connection was
		// released at its close: the program keeps a P a CPU.
		if n := after["program.GOMAXPROCS"]; n != 1 {
			t.Errorf("GOMAXPROCS %d after the load, want 1 (one CPU, no call forwarded)", n)
		}
	}
	g.running()
	checkKernelHealthy(t, g.output())
}

// TestStatsOption checks the option's edges: a bad port stops the boot
// naming it; with no NIC the program runs and the console says why there
// is no page.
func TestStatsOption(t *testing.T) {
	out, status, err := bootExample(t, "examples/hello", boot{Options: []string{"warren.stats=65536"}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "bad boot option warren.stats=65536") || status == 0 {
		t.Errorf("warren.stats=65536: status %d; the console does not name the option", status)
	}
	out, status, err = bootExample(t, "examples/hello", boot{Options: []string{"warren.stats=9100"}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "warren: stats: warren.stats=9100: no network to serve the counters on") || !strings.Contains(out, "hello from warren") || status != 0 {
		t.Errorf("warren.stats=9100 without a NIC: status %d", status)
	}
}
