package bench

import (
	"context"
	"fmt"
	"io"
	"maps"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"warren.dev/system/statpage"
)

// Both guests serve their counters as a statpage on statsPort: Warren
// with the boot option warren.stats=PORT (the kernel's counters,
// netstack's and the NIC's), the Linux guest's init from /proc. Each
// measured wrk run is bracketed by two readings; their difference over
// the requests wrk completed is what a request cost.
const statsPort = 9100

// scrapeCounters reads the guest's counters page.
func scrapeCounters(ctx context.Context, dial dialFunc) (map[string]uint64, error) {
	client := &http.Client{
		Transport: &http.Transport{DialContext: dial, DisableKeepAlives: true},
		Timeout:   30 * time.Second,
	}
	req, err := http.NewRequestWithContext(ctx, "GET", "http://"+guestIP+":"+strconv.Itoa(statsPort)+"/", nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("counters: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("counters: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("counters: GET: %s", resp.Status)
	}
	return statpage.Parse(string(body))
}

// Delta is what the counters moved by during one load: after − before
// for each counter both readings list.
type Delta struct {
	Requests int64 // the requests wrk completed
	Diff     map[string]float64
}

func diffCounters(before, after map[string]uint64, requests int64) Delta {
	d := Delta{Requests: requests, Diff: map[string]float64{}}
	for k, a := range after {
		if b, ok := before[k]; ok {
			d.Diff[k] = float64(a) - float64(b)
		}
	}
	return d
}

// describe lists every counter that moved by at least 0.01 a request,
// by name: the detail behind the per-request tables.
func (d Delta) describe(w io.Writer) {
	if d.Requests <= 0 {
		return
	}
	for _, k := range slices.Sorted(maps.Keys(d.Diff)) {
		if per := d.Diff[k] / float64(d.Requests); math.Abs(per) >= 0.01 {
			fmt.Fprintf(w, "  %-56s %12s a request\n", k, fmtPer(per))
		}
	}
}

// get is one counter's difference, NaN when the pages did not list it.
func (d Delta) get(name string) float64 {
	v, ok := d.Diff[name]
	if !ok {
		return math.NaN()
	}
	return v
}

// Guests, as the per-request tables name them.
const (
	GuestWarren = "Warren"
	GuestRing3  = "Warren ring 3"
	GuestLinux  = "Linux"
)

// Load names one measured wrk run of a guest: a program's page.
type Load struct {
	Page  string // such as "httpd `/`" or "unmodified `/1k`"
	Guest string // GuestWarren, GuestRing3 or GuestLinux
}

// LoadCounters are a load's differences, one per run.
type LoadCounters struct {
	Load
	Runs []Delta
}

// addCounters records a run's counters for a load.
func (r *NICResult) addCounters(l Load, d Delta) {
	for _, lc := range r.Counters {
		if lc.Load == l {
			lc.Runs = append(lc.Runs, d)
			return
		}
	}
	r.Counters = append(r.Counters, &LoadCounters{Load: l, Runs: []Delta{d}})
}

// column is one per-request figure: its heading and how each side's
// counters make it (NaN: the side does not count it).
type column struct {
	head          string
	warren, linux func(Delta) float64
}

func counter(name string) func(Delta) float64 { return func(d Delta) float64 { return d.get(name) } }

func none(Delta) float64 { return math.NaN() }

// kernelColumns and netColumns are the two per-request tables. Linux
// keeps no count of system calls, traps or wake-ups that is on by
// default, and its copies are not counted anywhere.
var kernelColumns = []column{
	{"system calls", func(d Delta) float64 { return d.get("kernel.Syscalls") - d.get("kernel.WarrenCalls") }, none},
	{"forwarded to the socket layer", counter("kernel.Forwarded"), none},
	{"Warren calls", counter("kernel.WarrenCalls"), none},
	{"traps", counter("kernel.Traps"), none},
	{"thread switches", counter("kernel.ContextSwitches"), counter("linux.stat.ctxt")},
	{"wake-ups", counter("kernel.Wakeups"), none},
	{"device interrupts", counter("kernel.DeviceInterrupts"), counter("linux.interrupts.device")},
	{"timer interrupts", counter("kernel.TimerInterrupts"), counter("linux.interrupts.LOC")},
	{"timer writes", counter("kernel.TimerArms"), none},
	{"bytes copied in", counter("kernel.CopyInBytes"), none},
	{"bytes copied out", counter("kernel.CopyOutBytes"), none},
}

// cpuColumns are what more than one vCPU costs: all zero at -smp 1,
// when the table is left out. Linux counts its reschedule and TLB
// shootdown interrupts (RES, TLB in /proc/interrupts); it has no big lock.
var cpuColumns = []column{
	{"kernel lock waits", counter("kernel.LockWaits"), none},
	{"µs waiting for the kernel lock", func(d Delta) float64 { return d.get("kernel.LockWaitNanos") / 1e3 }, none},
	{"waits that halted", counter("kernel.LockParks"), none},
	{"TLB shootdowns", counter("kernel.Shootdowns"), counter("linux.interrupts.TLB")},
	{"reschedule IPIs", counter("kernel.ReschedIPIs"), counter("linux.interrupts.RES")},
}

var netColumns = []column{
	{"frames in", counter("nic.eth0.link.RxPackets"), counter("linux.dev.eth0.rx_packets")},
	{"frames out", counter("nic.eth0.link.TxPackets"), counter("linux.dev.eth0.tx_packets")},
	{"TCP segments in", counter("netstack.TCP.ValidSegmentsReceived"), counter("linux.snmp.Tcp.InSegs")},
	{"TCP segments out", counter("netstack.TCP.SegmentsSent"), counter("linux.snmp.Tcp.OutSegs")},
	{"retransmitted", counter("netstack.TCP.Retransmits"), counter("linux.snmp.Tcp.RetransSegs")},
	{"fast retransmits", counter("netstack.TCP.FastRetransmit"), counter("linux.netstat.TcpExt.TCPFastRetrans")},
	{"slow-start retransmits", counter("netstack.TCP.SlowStartRetransmits"), counter("linux.netstat.TcpExt.TCPSlowStartRetrans")},
	{"RTO expiries", counter("netstack.TCP.Timeouts"), counter("linux.netstat.TcpExt.TCPTimeouts")},
}

// perRequest is a column's value for one run: the difference over the
// requests, NaN when either is missing.
func (c column) perRequest(guest string, d Delta) float64 {
	f := c.warren
	if guest == GuestLinux {
		f = c.linux
	}
	if d.Requests <= 0 {
		return math.NaN()
	}
	return f(d) / float64(d.Requests)
}

// guestOrder and the order pages were first measured in order the rows.
var guestOrder = []string{GuestWarren, GuestRing3, GuestLinux}

// counterTable renders one per-request table over every NIC's loads:
// each cell the median over the runs.
func counterTable(b *strings.Builder, title string, nics []*NICResult, cols []column) {
	fmt.Fprintf(b, "\n%s\n\n| NIC | load | guest | requests |", title)
	for _, c := range cols {
		b.WriteString(" " + c.head + " |")
	}
	b.WriteString("\n|---|---|---|--:|" + strings.Repeat("--:|", len(cols)) + "\n")
	for _, r := range nics {
		for _, lc := range sortedLoads(r.Counters) {
			var reqs []float64
			for _, d := range lc.Runs {
				reqs = append(reqs, float64(d.Requests))
			}
			fmt.Fprintf(b, "| %s | %s | %s | %s |", r.NIC, lc.Page, lc.Guest, commas(int64(math.Round(median(reqs)))))
			for _, c := range cols {
				var vs []float64
				for _, d := range lc.Runs {
					vs = append(vs, c.perRequest(lc.Guest, d))
				}
				b.WriteString(" " + fmtPer(median(vs)) + " |")
			}
			b.WriteString("\n")
		}
	}
}

// sortedLoads keeps the pages in the order first measured and puts each
// page's guests together, Warren first.
func sortedLoads(ls []*LoadCounters) []*LoadCounters {
	var pages []string
	for _, l := range ls {
		if !slices.Contains(pages, l.Page) {
			pages = append(pages, l.Page)
		}
	}
	out := slices.Clone(ls)
	slices.SortStableFunc(out, func(a, b *LoadCounters) int {
		if pa, pb := slices.Index(pages, a.Page), slices.Index(pages, b.Page); pa != pb {
			return pa - pb
		}
		return slices.Index(guestOrder, a.Guest) - slices.Index(guestOrder, b.Guest)
	})
	return out
}

// fmtPer prints a per-request figure: as fmtNum from 1 up, with three
// significant digits below (rare events are fractions of one), 0 as 0.
func fmtPer(v float64) string {
	switch {
	case math.IsNaN(v):
		return "—"
	case v == 0:
		return "0"
	case math.Abs(v) >= 1:
		return fmtNum(v)
	}
	return strconv.FormatFloat(v, 'f', max(2, 2-int(math.Floor(math.Log10(math.Abs(v))))), 64)
}

// countersNote says what the per-request tables are.
const countersNote = `
Per request: each guest serves its counters on port %d (Warren: the boot option @warren.stats=%d@, the kernel's
counters, netstack's @tcpip.Stats@ and the NIC's; Linux: the guest's init reads /proc/stat, /proc/interrupts,
/proc/net/snmp, /proc/net/netstat and /proc/net/dev), read just before and just after each measured wrk run; a cell
is the difference over the requests wrk completed, the median of the runs. The readings' own traffic, a few
segments each, is in the difference. — : the guest does not count it (Linux keeps no count of system calls, traps,
wake-ups or copies that is on by default). Warren's system calls are the Linux ones, by the program and its
processes; forwarded: those the kernel queued for the socket layer; Warren calls: the socket layer's own (taking
a call, replying, copying to and from the caller), the drivers' and the counters' reading. Bytes copied count
what the kernel read from and wrote to user memory; a socket-layer copy reads one and writes another, so it
counts in both. Frames are eth0's at the driver boundary; with TSO a frame out carries up to 64 KiB. TCP segments
are as each stack counts them: netstack counts a TSO segment once, Linux (OutSegs) each MSS-sized segment it
stands for. The TCP echo runs have no requests and no row.
`
