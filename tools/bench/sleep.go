package bench

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"warren.dev/qemu"
)

// sleepRe matches the sleep line of examples/runtime:
// "sleep      ok   100 x 10ms: oversleep median 52µs, min 12µs, max 1.2ms".
var sleepRe = regexp.MustCompile(`(?m)^sleep +(\S+) +(\d+) x (\S+): oversleep median (\S+), min \S+, max (\S+)$`)

// sleepRun is one boot's figures: how much later than asked time.Sleep
// returned, the median and the worst of the calls.
type sleepRun struct {
	median, worst time.Duration
}

// parseSleep reads examples/runtime's sleep line from its console (whose
// lines end in CRLF).
func parseSleep(console string) (sleepRun, error) {
	console = strings.ReplaceAll(console, "\r\n", "\n")
	m := sleepRe.FindStringSubmatch(console)
	if m == nil {
		return sleepRun{}, fmt.Errorf("no sleep line in the console:\n%s", lastLines(console, 20))
	}
	if m[1] != "ok" {
		return sleepRun{}, fmt.Errorf("examples/runtime's sleep check failed: a sleep returned early (%s)", m[0])
	}
	median, err1 := time.ParseDuration(m[4])
	worst, err2 := time.ParseDuration(m[5])
	if err1 != nil || err2 != nil {
		return sleepRun{}, fmt.Errorf("unreadable sleep line %q", m[0])
	}
	return sleepRun{median, worst}, nil
}

// sleepAccuracy boots examples/runtime without a NIC and records how late
// its 100 time.Sleep(10ms) calls returned: a figure of the timer path
// (LAPIC one-shot, TSC clock, scheduler) under TCG on this host, which the
// tests only check for sleeps returning early.
func (r *runner) sleepAccuracy(ctx context.Context, rep *Report) error {
	m := qemu.Machine{Image: r.runtime, Memory: r.cfg.Memory, CPUs: r.cfg.cpus(), Timeout: bootTimeout}
	res, err := m.Run(ctx)
	if err == nil && res.Status != 0 {
		err = fmt.Errorf("exit status %d", res.Status)
	}
	if err != nil {
		return fmt.Errorf("examples/runtime: %w\nconsole (end):\n%s", err, lastLines(string(res.Output), 20))
	}
	s, err := parseSleep(string(res.Output))
	if err != nil {
		return err
	}
	rep.SleepMedian = append(rep.SleepMedian, float64(s.median)/float64(time.Microsecond))
	rep.SleepWorst = append(rep.SleepWorst, float64(s.worst)/float64(time.Microsecond))
	fmt.Fprintf(r.cfg.Log, "bench: time.Sleep(10ms) returned late by %v (median), %v (worst)\n", s.median, s.worst)
	return nil
}
