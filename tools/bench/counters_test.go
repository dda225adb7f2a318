package bench

import (
	"context"
	"math"
	"net"
	"strings"
	"testing"

	"warren.dev/system/statpage"
)

func TestDiffCounters(t *testing.T) {
	d := diffCounters(map[string]uint64{"a": 10, "b": 5, "gone": 1}, map[string]uint64{"a": 25, "b": 3, "new": 7}, 5)
	if d.Requests != 5 || len(d.Diff) != 2 || d.get("a") != 15 || d.get("b") != -2 {
		t.Errorf("delta %+v", d)
	}
	if !math.IsNaN(d.get("new")) || !math.IsNaN(d.get("gone")) {
		t.Error("a counter only one reading lists has a difference")
	}
}

// describe lists what moved by at least 0.01 a request, by name.
func TestDescribe(t *testing.T) {
	d := Delta{Requests: 100, Diff: map[string]float64{"kernel.Traps": 300, "kernel.Sleeps": 0.5, "a.back": -200}}
	var b strings.Builder
	d.describe(&b)
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 2 || !strings.HasPrefix(strings.TrimSpace(lines[0]), "a.back") ||
		!strings.Contains(lines[0], "-2.00") || !strings.Contains(lines[1], "kernel.Traps") || !strings.Contains(lines[1], " 3.00 a request") {
		t.Errorf("describe:\n%s", b.String())
	}
}

func TestPerRequest(t *testing.T) {
	warren := Delta{Requests: 100, Diff: map[string]float64{
		"kernel.Syscalls": 1200, "kernel.WarrenCalls": 200, "kernel.ContextSwitches": 50,
		"netstack.TCP.Timeouts": 1, "nic.eth0.link.RxPackets": 300,
	}}
	linux := Delta{Requests: 200, Diff: map[string]float64{"linux.stat.ctxt": 100, "linux.dev.eth0.rx_packets": 400}}
	col := func(cols []column, head string) column {
		for _, c := range cols {
			if c.head == head {
				return c
			}
		}
		t.Fatalf("no column %q", head)
		return column{}
	}
	for _, c := range []struct {
		col   column
		guest string
		d     Delta
		want  float64
	}{
		{col(kernelColumns, "system calls"), GuestWarren, warren, 10},
		{col(kernelColumns, "thread switches"), GuestRing3, warren, 0.5},
		{col(kernelColumns, "thread switches"), GuestLinux, linux, 0.5},
		{col(netColumns, "RTO expiries"), GuestWarren, warren, 0.01},
		{col(netColumns, "frames in"), GuestWarren, warren, 3},
		{col(netColumns, "frames in"), GuestLinux, linux, 2},
	} {
		if got := c.col.perRequest(c.guest, c.d); got != c.want {
			t.Errorf("%s for %s = %v, want %v", c.col.head, c.guest, got, c.want)
		}
	}
	for _, c := range []struct {
		col   column
		guest string
		d     Delta
	}{
		{col(kernelColumns, "system calls"), GuestLinux, linux},                     // Linux does not count them
		{col(kernelColumns, "wake-ups"), GuestWarren, warren},                       // not on the page
		{col(kernelColumns, "system calls"), GuestWarren, Delta{Diff: warren.Diff}}, // no requests
	} {
		if got := c.col.perRequest(c.guest, c.d); !math.IsNaN(got) {
			t.Errorf("%s for %s = %v, want NaN", c.col.head, c.guest, got)
		}
	}
}

func TestFmtPer(t *testing.T) {
	for v, want := range map[float64]string{0: "0", 1234.4: "1,234", 12.34: "12.3", 1.234: "1.23", 0.5: "0.500", 0.01234: "0.0123", 0.0001234: "0.000123"} {
		if got := fmtPer(v); got != want {
			t.Errorf("fmtPer(%v) = %q, want %q", v, got, want)
		}
	}
	if fmtPer(math.NaN()) != "—" {
		t.Error("NaN")
	}
}

func TestCounterTable(t *testing.T) {
	r := &NICResult{NIC: "e1000"}
	w := func(req int64, sys float64) Delta {
		return Delta{Requests: req, Diff: map[string]float64{"kernel.Syscalls": sys, "kernel.WarrenCalls": 0}}
	}
	r.addCounters(Load{"unmodified `/`", GuestLinux}, Delta{Requests: 10, Diff: map[string]float64{"linux.stat.ctxt": 30}})
	r.addCounters(Load{"unmodified `/`", GuestRing3}, w(10, 300))
	r.addCounters(Load{"httpd `/`", GuestWarren}, w(10, 0))
	r.addCounters(Load{"unmodified `/`", GuestWarren}, w(10, 100))
	r.addCounters(Load{"unmodified `/`", GuestWarren}, w(20, 400))
	r.addCounters(Load{"unmodified `/`", GuestWarren}, w(30, 300))
	var b strings.Builder
	counterTable(&b, "Per request, kernel:", []*NICResult{r}, kernelColumns[:1])
	want := `
Per request, kernel:

| NIC | load | guest | requests | system calls |
|---|---|---|--:|--:|
| e1000 | unmodified ` + "`/`" + ` | Warren | 20 | 10.0 |
| e1000 | unmodified ` + "`/`" + ` | Warren ring 3 | 10 | 30.0 |
| e1000 | unmodified ` + "`/`" + ` | Linux | 10 | — |
| e1000 | httpd ` + "`/`" + ` | Warren | 10 | 0 |
`
	if b.String() != want {
		t.Errorf("table:\n%s\nwant:\n%s", b.String(), want)
	}
}

// TestScrapeCounters reads a statpage served as a guest would.
func TestScrapeCounters(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go statpage.Serve(ln, func(p *statpage.Page) { p.Add("kernel.Syscalls", 42) })
	dial := func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, ln.Addr().String())
	}
	m, err := scrapeCounters(context.Background(), dial)
	if err != nil || m["kernel.Syscalls"] != 42 {
		t.Fatalf("scrape: %v, %v", m, err)
	}
}

func TestMarkdownCounters(t *testing.T) {
	r := &NICResult{NIC: "virtio-net-pci"}
	r.Warren[FigUnmodRate] = []float64{500}
	r.Linux[FigUnmodRate] = []float64{1000}
	r.Warren[FigRing3Echo] = []float64{5}
	rep := &Report{NICs: []*NICResult{r}}
	md := rep.Markdown()
	if strings.Contains(md, "Per request") {
		t.Errorf("per-request tables without counters:\n%s", md)
	}
	for _, want := range []string{
		"| virtio-net-pci | unmodified: HTTP req/s, keep-alive `/` (hello) | 500 | 1,000 | 0.50 |\n",
		"| virtio-net-pci | unmodified, ring 3: TCP echo (MB/s) | 5.00 | — | — |\n",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown lacks %q:\n%s", want, md)
		}
	}
	r.addCounters(Load{"unmodified `/`", GuestWarren}, Delta{Requests: 4, Diff: map[string]float64{"netstack.TCP.Retransmits": 1}})
	md = rep.Markdown()
	for _, want := range []string{
		"\nPer request, kernel:\n\n| NIC | load | guest | requests | system calls |",
		"\nPer request, network:\n\n| NIC | load | guest | requests | frames in |",
		"| virtio-net-pci | unmodified `/` | Warren | 4 | — | — | — | — | 0.250 | — | — | — |\n",
		"Per request: each guest serves its counters on port 9100 (Warren: the boot option `warren.stats=9100`",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown lacks %q:\n%s", want, md)
		}
	}
	if strings.Index(md, "Targets:") > strings.Index(md, "Per request") {
		t.Error("the per-request tables come before the targets")
	}
	if strings.Contains(md, "more than one vCPU") {
		t.Errorf("the vCPU table at -smp 1:\n%s", md)
	}
	rep.CPUs = 2
	r.addCounters(Load{"unmodified `/`", GuestWarren}, Delta{Requests: 4, Diff: map[string]float64{"kernel.LockWaits": 8, "kernel.LockWaitNanos": 6000}})
	md = rep.Markdown()
	want := "\nPer request, more than one vCPU:\n\n| NIC | load | guest | requests | kernel lock waits | µs waiting for the kernel lock | waits that halted |"
	if !strings.Contains(md, want) || !strings.Contains(md, "| virtio-net-pci | unmodified `/` | Warren | 4 | 2.00 | 1.50 |") {
		t.Errorf("Markdown at -smp 2 lacks the vCPU table or its figures:\n%s", md)
	}
}
