package bench

import (
	"strings"
	"testing"
	"time"
)

func TestParseSleep(t *testing.T) {
	console := "ring       ok   10000 goroutines, 100 laps, 1000000 hops in 1.2s\r\n" +
		"sleep      ok   100 x 10ms: oversleep median 52.1µs, min 3µs, max 1.204ms\r\n" +
		"nil        ok   recovered runtime error\r\n"
	s, err := parseSleep(console)
	if err != nil || s != (sleepRun{52100 * time.Nanosecond, 1204 * time.Microsecond}) {
		t.Errorf("parseSleep = %+v, %v", s, err)
	}
	early := strings.Replace(console, "ok   100 x 10ms: oversleep median 52.1µs, min 3µs", "FAIL 100 x 10ms: oversleep median 52.1µs, min -3µs", 1)
	if _, err := parseSleep(early); err == nil || !strings.Contains(err.Error(), "returned early") {
		t.Errorf("a sleep returning early: %v", err)
	}
	if _, err := parseSleep("hello\r\n"); err == nil || !strings.Contains(err.Error(), "no sleep line") {
		t.Errorf("no sleep line: %v", err)
	}
}

func TestMarkdownSleep(t *testing.T) {
	rep := &Report{SleepMedian: []float64{52.1, 60, 55}, SleepWorst: []float64{1204, 900, 1500}, Failures: []string{"sleep run 2: boom"}}
	md := rep.Markdown()
	for _, want := range []string{
		"| all | `time.Sleep(10ms)` late by, median of 100 (µs) | 55.0 <sub>52.1–60.0</sub> | — | — |\n",
		"| all | `time.Sleep(10ms)` late by, worst of 100 (µs) | 1,204 <sub>900–1,500</sub> | — | — |\n",
		"Failures:\n- sleep run 2: boom\n",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown lacks %q:\n%s", want, md)
		}
	}
}
