package bench

import (
	"fmt"
	"math"
	"strings"
)

// Figure is one measured row of the table, per NIC.
type Figure int

// The figures, in table order.
const (
	FigBoot Figure = iota
	FigRate
	FigP50
	FigP99
	FigWrkErrors
	FigPlainRate
	FigPlainP99
	FigEcho
	FigGoSys
	FigUsed
	// The unmodified service (examples/plainhttp): the program in the
	// image, then the same source built as a Linux program run as a
	// ring-3 process; the Linux column of both is the Linux guest's.
	FigUnmodBoot
	FigUnmodRate
	FigUnmodP99
	FigUnmod1K
	FigUnmod64K
	FigUnmodErrors
	FigUnmodEcho
	FigRing3Boot
	FigRing3Rate
	FigRing3P99
	FigRing31K
	FigRing364K
	FigRing3Errors
	FigRing3Echo
	numFigures
)

var figureNames = [numFigures]string{
	FigBoot:      "QEMU start → first HTTP 200 (ms)",
	FigRate:      "HTTP req/s, keep-alive `/`",
	FigP50:       "latency p50 (ms)",
	FigP99:       "latency p99 (ms)",
	FigWrkErrors: "wrk socket errors + non-2xx",
	FigPlainRate: "HTTP req/s, keep-alive `" + plainPath + "`",
	FigPlainP99:  "latency p99 there (ms)",
	FigEcho:      "TCP echo (MB/s)",
	FigGoSys:     "Go runtime memory from the OS, MemStats.Sys (MiB)",
	FigUsed:      "guest memory in use (MiB)",

	FigUnmodBoot:   "unmodified: QEMU start → first HTTP 200 (ms)",
	FigUnmodRate:   "unmodified: HTTP req/s, keep-alive `/` (hello)",
	FigUnmodP99:    "unmodified: latency p99 there (ms)",
	FigUnmod1K:     "unmodified: HTTP req/s, keep-alive `/1k`",
	FigUnmod64K:    "unmodified: HTTP req/s, keep-alive `/64k`",
	FigUnmodErrors: "unmodified: wrk socket errors + non-2xx",
	FigUnmodEcho:   "unmodified: TCP echo (MB/s)",
	FigRing3Boot:   "unmodified, ring 3: QEMU start → first HTTP 200 (ms)",
	FigRing3Rate:   "unmodified, ring 3: HTTP req/s, keep-alive `/` (hello)",
	FigRing3P99:    "unmodified, ring 3: latency p99 there (ms)",
	FigRing31K:     "unmodified, ring 3: HTTP req/s, keep-alive `/1k`",
	FigRing364K:    "unmodified, ring 3: HTTP req/s, keep-alive `/64k`",
	FigRing3Errors: "unmodified, ring 3: wrk socket errors + non-2xx",
	FigRing3Echo:   "unmodified, ring 3: TCP echo (MB/s)",
}

func (f Figure) String() string { return figureNames[f] }

// cell prints the median of a figure's runs and, when they differ, their
// range.
func (f Figure) cell(runs []float64) string { return rangeCell(runs, f.format) }

// rangeCell prints the median of runs and, when they differ, their range.
func rangeCell(runs []float64, format func(float64) string) string {
	m := format(median(runs))
	lo, hi := spread(runs)
	if math.IsNaN(lo) || format(lo) == format(hi) {
		return m
	}
	return fmt.Sprintf("%s <sub>%s–%s</sub>", m, format(lo), format(hi))
}

// format prints a value of the figure.
func (f Figure) format(v float64) string {
	if (f == FigWrkErrors || f == FigUnmodErrors || f == FigRing3Errors) && !math.IsNaN(v) {
		return commas(int64(math.Round(v)))
	}
	return fmtNum(v)
}

// NICResult holds every run's values for one NIC model; NaN marks a value
// a run did not get.
type NICResult struct {
	NIC           string
	Warren, Linux [numFigures][]float64
	// Counters are what the guests' counters moved by in each measured
	// wrk run, by load.
	Counters []*LoadCounters
	Failures []string
}

func (r *NICResult) add(warren bool, f Figure, v float64) {
	if warren {
		r.Warren[f] = append(r.Warren[f], v)
	} else {
		r.Linux[f] = append(r.Linux[f], v)
	}
}

// Median returns the medians of a figure, Warren's and Linux's.
func (r *NICResult) Median(f Figure) (warren, linux float64) {
	return median(r.Warren[f]), median(r.Linux[f])
}

// SmallMemory is the outcome of serving with little memory.
type SmallMemory struct {
	NIC, Memory string
	OK          bool
	RequestsPS  float64 // NaN when not measured
	Detail      string  // why it failed
}

// Report is everything the benchmark measured.
type Report struct {
	Made        string // how, where and when it was made
	CPUs        int    // vCPUs of each guest
	NICs        []*NICResult
	ImageWarren int64 // bytes
	ImageLinux  int64
	Small       []SmallMemory
	EchoBytes   int64
	// How late time.Sleep(10ms) returned in examples/runtime, in µs, one
	// value per boot: the median and the worst of its 100 calls.
	SleepMedian, SleepWorst []float64
	// MicroVMBoot is Warren's httpd on QEMU's microvm machine: QEMU start
	// to the first HTTP 200, ms, one value per boot.
	MicroVMBoot []float64
	// Scaling is smpwork's hashing throughput at -smp ScalingCPUs over
	// its throughput at -smp 1, one value per pair of boots.
	Scaling     []float64
	ScalingCPUs int
	// SMPBoot is httpd's time from QEMU's start to the first HTTP 200
	// at -smp 4 over its time at -smp 1, one value per pair of boots.
	SMPBoot  []float64
	Failures []string // of what is measured once for all NICs
}

// notes say what the figures are; %g is the echo's MiB, @ a backquote.
var notes = strings.NewReplacer("@", "`", "PLAIN", plainPath).Replace(`
- Each cell is the median of the runs, with their range in small type; Warren/Linux compares the medians:
  below 1 is better for times, latencies, sizes and memory, above 1 for rates.
- The Linux guest boots Debian's kernel (@quiet@) with an initramfs whose /init (tools/bench/linuxinit, static Go)
  loads the NIC modules, configures eth0 by netlink and starts examples/httpd and examples/echo, built as Linux
  programs with warren.dev/net replaced by the standard library's sockets (tools/bench/netshim), and
  examples/plainhttp, built by plain @go build@. One boot serves every Linux row.
- The first rows are Warren's examples/httpd and examples/echo on the in-program netstack API (warren.dev/net): no system
  calls for the network. @/@ prints the interface list (warren.dev/net's Live; on Linux, netshim's reading of the
  kernel's), which the example rereads at most once a second on both guests. @PLAIN@ (1 KiB, about the size of @/@)
  does no such work: the HTTP server and the network stack alone.
- unmodified: examples/plainhttp, one Go source importing nothing of Warren's (net/http, net): @/@ answers
  @hello@, @/1k@ and @/64k@ that many bytes made at start, and a TCP echo on port 7007 copies through a buffer
  with Read and Write (io.Copy would splice(2), copy-free on Linux, copied through a pipe on Warren). Warren's row is the program
  built by @warren build@, in the image: its socket calls on non-blocking sockets go to the socket layer, goroutines
  of the same program, without a trap (a descriptor is looked up once while its table stands still; docs/socket-path.md). ring 3: the Linux guest's own binary, run by Warren as a ring-3 process (@warren build -user@)
  in its own address space, its socket calls crossing to the program in the image. The Linux column of both is
  the binary on Linux. Each page is put under the same wrk load in turn after a warm-up on @/@.
- TCP echo: %g MiB written and read back at once, checked; cut off after a minute.
- Guest memory in use: Linux MemTotal − MemAvailable; Warren total − free RAM of sysinfo(2), when httpd's /stats
  prints it. Image size: Warren's httpd ELF; Linux vmlinuz + an initramfs of init, httpd and the NIC modules.
- microvm: Warren's httpd on QEMU's @-M microvm@ (no PCI, no ACPI; virtio-net over virtio-mmio, the transports
  named on the command line), the same tap device; the PC rows above boot QEMU's default machine.
- hashing: examples/smpwork hashes 48 MiB in one goroutine per vCPU (GOMAXPROCS is the vCPU count), booted without
  a NIC at @-smp 1@ and then at more vCPUs; the row is the ratio of the two throughputs, so it scales only if the
  kernel runs the goroutines' threads on every vCPU at once. Under TCG each vCPU is a host thread: the host's free
  cores bound it.
- @-smp 4@ ÷ @-smp 1@: httpd on virtio-net-pci booted at one vCPU and then at four, back to back; the row is the
  ratio of the two times from QEMU's start to the first HTTP 200 (the application processors' start is in it).
- @time.Sleep(10ms)@: examples/runtime, booted without a NIC, sleeps 10 ms 100 times and prints how much later than
  asked each call returned. The tests check only that none returns early: lateness depends on the host's load.
`)

// Target is one of the project's aims, checked against the medians.
type Target struct {
	Aim    string
	Met    bool
	Known  bool // the figures were there to check it
	Detail string
}

// Targets checks the project's aims.
func (rep *Report) Targets() []Target {
	var ts []Target
	for _, r := range rep.NICs {
		if r.NIC == "virtio-net-pci" {
			w, l := r.Median(FigRate)
			x := ratio(w, l)
			ts = append(ts, Target{Aim: "req/s ≥ 1.5× Linux on virtio-net", Known: !math.IsNaN(x), Met: x >= 1.5, Detail: fmtRatio(x) + "×"})
			w, l = r.Median(FigP99)
			x = ratio(w, l)
			ts = append(ts, Target{Aim: "p99 no worse than Linux on virtio-net", Known: !math.IsNaN(x), Met: x <= 1, Detail: fmtNum(w) + " vs " + fmtNum(l) + " ms"})
		}
	}
	for _, r := range rep.NICs {
		w, l := r.Median(FigBoot)
		x := ratio(w, l)
		ts = append(ts, Target{Aim: "first 200 ≤ 1/10 of Linux's time on " + r.NIC, Known: !math.IsNaN(x), Met: x <= 0.1, Detail: fmtRatio(x) + "×"})
	}
	if len(rep.Scaling) > 0 && rep.ScalingCPUs == 2 {
		x := median(rep.Scaling)
		ts = append(ts, Target{Aim: "CPU-bound throughput at -smp 2 ≥ 1.7× -smp 1's", Known: true, Met: x >= 1.7, Detail: fmtRatio(x) + "×"})
	}
	if len(rep.SMPBoot) > 0 {
		x := median(rep.SMPBoot)
		ts = append(ts, Target{Aim: fmt.Sprintf("first 200 at -smp %d within 10%% of -smp 1's", smpBootCPUs), Known: true, Met: x <= 1.1, Detail: fmtRatio(x) + "×"})
	}
	for _, s := range rep.Small {
		d := "serves"
		if !math.IsNaN(s.RequestsPS) {
			d = fmt.Sprintf("serves, %s req/s", fmtNum(s.RequestsPS))
		}
		if !s.OK {
			d = s.Detail
		}
		ts = append(ts, Target{Aim: "serving with -m " + s.Memory + " on " + s.NIC, Known: true, Met: s.OK, Detail: oneLine(d)})
	}
	return ts
}

// Markdown renders the report: the line saying how it was made, the table
// of medians and Warren/Linux ratios, the targets and any failures.
func (rep *Report) Markdown() string {
	var b strings.Builder
	if rep.Made != "" {
		b.WriteString(rep.Made + "\n\n")
	}
	b.WriteString("| NIC | figure | Warren | Linux | Warren/Linux |\n|---|---|--:|--:|--:|\n")
	for _, r := range rep.NICs {
		for f := range numFigures {
			w, l := r.Median(f)
			if math.IsNaN(w) && math.IsNaN(l) {
				continue
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", r.NIC, f, f.cell(r.Warren[f]), f.cell(r.Linux[f]), fmtRatio(ratio(w, l)))
		}
	}
	if rep.ImageWarren > 0 || rep.ImageLinux > 0 {
		w, l := float64(rep.ImageWarren)/1e6, float64(rep.ImageLinux)/1e6
		fmt.Fprintf(&b, "| all | image size (MB) | %s | %s | %s |\n", fmtNum(nanIfZero(w)), fmtNum(nanIfZero(l)), fmtRatio(ratio(w, l)))
	}
	if len(rep.MicroVMBoot) > 0 {
		fmt.Fprintf(&b, "| virtio-net-device (microvm) | QEMU start → first HTTP 200 (ms) | %s | — | — |\n", rangeCell(rep.MicroVMBoot, fmtNum))
	}
	if len(rep.Scaling) > 0 {
		fmt.Fprintf(&b, "| all | hashing, one goroutine a vCPU: throughput at `-smp %d` ÷ at `-smp 1` (×) | %s | — | — |\n", rep.ScalingCPUs, rangeCell(rep.Scaling, fmtRatio))
	}
	if len(rep.SMPBoot) > 0 {
		fmt.Fprintf(&b, "| virtio-net-pci | QEMU start → first HTTP 200 at `-smp %d` ÷ at `-smp 1` (×) | %s | — | — |\n", smpBootCPUs, rangeCell(rep.SMPBoot, fmtRatio))
	}
	if len(rep.SleepMedian) > 0 {
		fmt.Fprintf(&b, "| all | `time.Sleep(10ms)` late by, median of 100 (µs) | %s | — | — |\n", rangeCell(rep.SleepMedian, fmtNum))
		fmt.Fprintf(&b, "| all | `time.Sleep(10ms)` late by, worst of 100 (µs) | %s | — | — |\n", rangeCell(rep.SleepWorst, fmtNum))
	}
	for _, s := range rep.Small {
		cell := "no"
		switch {
		case s.OK && !math.IsNaN(s.RequestsPS):
			cell = fmt.Sprintf("yes, %s req/s", fmtNum(s.RequestsPS))
		case s.OK:
			cell = "yes"
		}
		fmt.Fprintf(&b, "| %s | serves HTTP with `-m %s` | %s | — | |\n", s.NIC, s.Memory, cell)
	}
	fmt.Fprintf(&b, notes, float64(rep.EchoBytes)/(1<<20))
	rep.targets(&b)
	if rep.hasCounters() {
		counterTable(&b, "Per request, kernel:", rep.NICs, kernelColumns)
		counterTable(&b, "Per request, network:", rep.NICs, netColumns)
		if rep.CPUs > 1 {
			counterTable(&b, "Per request, more than one vCPU:", rep.NICs, cpuColumns)
		}
		b.WriteString(strings.NewReplacer("@", "`").Replace(fmt.Sprintf(countersNote, statsPort, statsPort)))
	}
	rep.failures(&b)
	return b.String()
}

// hasCounters reports whether any load's counters were read.
func (rep *Report) hasCounters() bool {
	for _, r := range rep.NICs {
		if len(r.Counters) > 0 {
			return true
		}
	}
	return false
}

// targets lists the targets and whether they are met.
func (rep *Report) targets(b *strings.Builder) {
	b.WriteString("\nTargets:\n")
	for _, t := range rep.Targets() {
		state := "not met"
		switch {
		case !t.Known:
			state = "unknown"
		case t.Met:
			state = "met"
		}
		fmt.Fprintf(b, "- %s: **%s** (%s)\n", t.Aim, state, t.Detail)
	}
}

// failures lists what went wrong, if anything did.
func (rep *Report) failures(b *strings.Builder) {
	fails := append([]string(nil), rep.Failures...)
	for _, r := range rep.NICs {
		fails = append(fails, r.Failures...)
	}
	for _, s := range rep.Small {
		if !s.OK {
			fails = append(fails, fmt.Sprintf("%s -m %s: %s", s.NIC, s.Memory, s.Detail))
		}
	}
	if len(fails) > 0 {
		b.WriteString("\nFailures:\n")
		for _, f := range fails {
			fmt.Fprintf(b, "- %s\n", oneLine(f))
		}
	}
}

func nanIfZero(v float64) float64 {
	if v == 0 {
		return math.NaN()
	}
	return v
}

// fmtNum prints a figure: thousands separated from 100 up, one decimal
// from 10, two below; "—" when missing.
func fmtNum(v float64) string {
	switch {
	case math.IsNaN(v):
		return "—"
	case math.Abs(v) >= 100:
		return commas(int64(math.Round(v)))
	case math.Abs(v) >= 10:
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.2f", v)
	}
}

// fmtRatio prints a ratio with two significant decimals below 0.1.
func fmtRatio(v float64) string {
	switch {
	case math.IsNaN(v):
		return "—"
	case v < 0.1:
		return fmt.Sprintf("%.3f", v)
	default:
		return fmt.Sprintf("%.2f", v)
	}
}

func commas(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

// oneLine keeps the first line of a message, for a table or a list.
func oneLine(s string) string {
	first, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return first
}
