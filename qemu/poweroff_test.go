package qemu_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"warren.dev/qemu"
	"warren.dev/tools/build"
)

// TestNoDebugExit boots echoargs, which sleeps 2 s between two lines and
// exits with status 3, on machines without isa-debug-exit, as Firecracker
// and cloud-hypervisor are: on qemu.MicroVM (no ACPI, no port 0x61, no
// i8042: the PIT's channel 0 calibrates the TSC and a triple fault stops
// the machine), on it without the PIT (the CMOS clock's seconds calibrate
// it) and on q35 (the ACPI PM timer; ACPI S5). The status must
// come back in the kernel's status line and the host must see the sleep
// take 2 s of its own time: at least 2 s (less 20 ms, as the two lines
// may reach the host with different delays), and under 4 s to allow a
// busy host but not a clock running at half speed. On q35 a reset reboots the
// machine (-action reboot=reset), so only S5 can end it after one run.
func TestNoDebugExit(t *testing.T) {
	qemu.RequireTools(t, qemu.Binary)
	image := buildExample(t, "qemu/testdata/echoargs")
	for _, tc := range []struct {
		name, typ string
		source    string
		extra     []string
	}{
		{"microvm", qemu.MicroVM, "(PIT channel 0)", nil},
		{"microvm-no-pit", qemu.MicroVM + ",pit=off", "(CMOS RTC)", nil},
		{"q35", "q35", "(ACPI PM timer)", []string{"-action", "reboot=reset"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmdline, err := build.Cmdline(nil, []string{"-exit=3", "-sleep=2s", "once"})
			if err != nil {
				t.Fatal(err)
			}
			times := &lineTimes{log: &lineLogger{t: t}, at: map[string]time.Time{}}
			defer times.log.Flush()
			m := qemu.Machine{Image: image, Append: cmdline, Type: tc.typ, NoDebugExit: true,
				ExtraArgs: tc.extra, Stdout: times, Timeout: 2 * time.Minute}
			res, err := m.Run(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			out := strings.ReplaceAll(string(res.Output), "\r\n", "\n")
			if res.Status != 3 {
				t.Errorf("exit status %d, want 3", res.Status)
			}
			if n := strings.Count(out, "args [\"once\"]"); n != 1 {
				t.Errorf("the program ran %d times, want once", n)
			}
			if !strings.Contains(out, "warren: clock: TSC at ") || !strings.Contains(out, tc.source) {
				t.Errorf("the clock's line does not name %s", tc.source)
			}
			start, ok1 := times.get("sleeping")
			end, ok2 := times.get("slept")
			if !ok1 || !ok2 {
				t.Fatalf("no sleeping and slept lines")
			}
			slept := end.Sub(start)
			t.Logf("a 2 s sleep took %v of host time", slept)
			// The host timestamps a line when it reads it: on a busy host
			// the "sleeping" line can be read tens of milliseconds late,
			// which shortens what it sees. A clock calibrated wrong by 5%
			// still fails.
			if slept < 2*time.Second-100*time.Millisecond || slept >= 4*time.Second {
				t.Errorf("a 2 s sleep took %v of host time, want 2 s to 4 s", slept)
			}
		})
	}
}

// lineTimes logs the console and notes when each line first arrived.
type lineTimes struct {
	log     *lineLogger
	mu      sync.Mutex
	partial string
	at      map[string]time.Time
}

func (l *lineTimes) Write(p []byte) (int, error) {
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.partial += string(p)
	for {
		line, rest, ok := strings.Cut(l.partial, "\n")
		if !ok {
			break
		}
		line = strings.TrimRight(line, "\r")
		if _, seen := l.at[line]; !seen {
			l.at[line] = now
		}
		l.partial = rest
	}
	return l.log.Write(p)
}

func (l *lineTimes) get(line string) (time.Time, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	at, ok := l.at[line]
	return at, ok
}
