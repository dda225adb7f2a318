package bench

import (
	"testing"
	"time"
)

const wrkOutput = `Running 10s test @ http://10.0.3.2/
  2 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    27.43ms   10.21ms   1.20s    90.00%
    Req/Sec   590.12     80.33   750.00     70.00%
  Latency Distribution
     50%  812.50us
     75%   30.00ms
     90%   35.25ms
     99%    1.20s
  11800 requests in 10.01s, 9.50MB read
  Socket errors: connect 1, read 2, write 0, timeout 12
  Non-2xx or 3xx responses: 5
Requests/sec:   1178.82
Transfer/sec:    0.95MB
`

func TestParseWrk(t *testing.T) {
	w, err := parseWrk(wrkOutput)
	if err != nil {
		t.Fatal(err)
	}
	want := Wrk{Requests: 11800, RequestsPerS: 1178.82, P50: 812500 * time.Nanosecond, P90: 35250 * time.Microsecond,
		P99: 1200 * time.Millisecond, SocketErrors: 15, Timeouts: 12, Non2xx: 5}
	if w != want {
		t.Errorf("parseWrk:\n got %+v\nwant %+v", w, want)
	}
	if _, err := parseWrk("unable to connect to 10.0.3.2:80 Connection refused\n"); err == nil {
		t.Error("parseWrk accepted a failed run")
	}
	for in, want := range map[string]time.Duration{"2.00m": 2 * time.Minute, "15us": 15 * time.Microsecond, "3.5s": 3500 * time.Millisecond} {
		if d, err := parseWrkDuration(in); err != nil || d != want {
			t.Errorf("parseWrkDuration(%q) = %v, %v", in, d, err)
		}
	}
	if _, err := parseWrkDuration("12parsecs"); err == nil {
		t.Error("parseWrkDuration accepted a bad unit")
	}
}

func TestWrkLoad(t *testing.T) {
	l := WrkLoad{Threads: 2, Conns: 32, Duration: 10 * time.Second}
	if s := l.String(); s != "wrk -t2 -c32 -d10s --latency" {
		t.Errorf("String = %q", s)
	}
}
