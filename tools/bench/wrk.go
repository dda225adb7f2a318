package bench

import (
	"bufio"
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"warren.dev/qemu"
)

// Wrk is what one wrk run reports.
type Wrk struct {
	Requests      int64
	RequestsPerS  float64
	P50, P90, P99 time.Duration
	SocketErrors  int64 // connect, read, write and timeout errors
	Timeouts      int64 // requests that took longer than wrk's 2 s timeout (not in the latencies)
	Non2xx        int64
	Report        string // wrk's own output
}

// WrkLoad is the load wrk applies.
type WrkLoad struct {
	Threads, Conns int
	Duration       time.Duration
}

func (l WrkLoad) args(url string) []string {
	return []string{"-t" + strconv.Itoa(l.Threads), "-c" + strconv.Itoa(l.Conns), "-d" + fmtSeconds(l.Duration), "--latency", url}
}

func fmtSeconds(d time.Duration) string {
	return strconv.FormatInt(int64((d+time.Second/2)/time.Second), 10) + "s"
}

// String is the wrk command line, for the report.
func (l WrkLoad) String() string { return "wrk " + strings.Join(l.args("")[:4], " ") }

// runWrk runs wrk inside the namespace.
func runWrk(ctx context.Context, ns *qemu.Netns, load WrkLoad, url string) (Wrk, error) {
	out, err := ns.Command(ctx, "wrk", load.args(url)...).CombinedOutput()
	if err != nil {
		return Wrk{}, fmt.Errorf("wrk: %v\n%s", err, out)
	}
	w, err := parseWrk(string(out))
	if err != nil {
		return w, fmt.Errorf("%v\n%s", err, out)
	}
	w.Report = string(out)
	return w, nil
}

// parseWrk reads wrk's --latency report.
func parseWrk(out string) (Wrk, error) {
	var w Wrk
	var haveRate, haveP50, haveP99 bool
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		switch {
		case len(f) == 2 && f[0] == "Requests/sec:":
			v, err := strconv.ParseFloat(f[1], 64)
			if err != nil {
				return w, fmt.Errorf("wrk: bad rate %q", f[1])
			}
			w.RequestsPerS, haveRate = v, true
		case len(f) == 2 && (f[0] == "50%" || f[0] == "90%" || f[0] == "99%"):
			d, err := parseWrkDuration(f[1])
			if err != nil {
				return w, err
			}
			switch f[0] {
			case "50%":
				w.P50, haveP50 = d, true
			case "90%":
				w.P90 = d
			case "99%":
				w.P99, haveP99 = d, true
			}
		case len(f) >= 3 && f[1] == "requests" && f[2] == "in":
			w.Requests, _ = strconv.ParseInt(f[0], 10, 64)
		case len(f) >= 2 && f[0] == "Socket" && f[1] == "errors:":
			// Socket errors: connect 0, read 0, write 0, timeout 12
			for i := 2; i+1 < len(f); i += 2 {
				n, _ := strconv.ParseInt(strings.TrimSuffix(f[i+1], ","), 10, 64)
				w.SocketErrors += n
				if f[i] == "timeout" {
					w.Timeouts = n
				}
			}
		case len(f) == 5 && f[0] == "Non-2xx":
			w.Non2xx, _ = strconv.ParseInt(f[4], 10, 64)
		}
	}
	if !haveRate || !haveP50 || !haveP99 {
		return w, fmt.Errorf("wrk: no Requests/sec or latency distribution in its output")
	}
	return w, nil
}

// parseWrkDuration reads wrk's latencies: 812.00us, 25.31ms, 1.20s, 2.00m.
func parseWrkDuration(s string) (time.Duration, error) {
	units := []struct {
		suffix string
		unit   time.Duration
	}{{"us", time.Microsecond}, {"ms", time.Millisecond}, {"s", time.Second}, {"m", time.Minute}, {"h", time.Hour}}
	for _, u := range units {
		if num, ok := strings.CutSuffix(s, u.suffix); ok {
			v, err := strconv.ParseFloat(num, 64)
			if err != nil {
				break
			}
			return time.Duration(v * float64(u.unit)), nil
		}
	}
	return 0, fmt.Errorf("wrk: bad latency %q", s)
}
