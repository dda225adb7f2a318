package qemu_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
)

var (
	userclockBuild hostBuild // testdata/userclock
	clockBuild     hostBuild // testdata/userc/clock.c
)

// userclockRE reads testdata/userclock's line of results.
var userclockRE = regexp.MustCompile(`userclock: reads=(\d+) backwards=(\d+) elapsed=(\d+) bracket=(\d+) wall=(\d+) syswall=(\d+)`)

// TestUserVDSO runs two processes that read the clock through the vDSO
// the kernel maps in them: testdata/userclock (plain go build) calls
// time.Now 100,000 times, testdata/userc/clock (gcc -static, glibc)
// reads CLOCK_MONOTONIC 10,000 times and checks gettimeofday, an unknown
// clock and the vDSO's pages. The times must be sane (never going back,
// advancing, between readings by system call, the wall clock within a
// second of the kernel's) and the machine's counters (warren.stats=)
// must show next to no clock_gettime system calls: without the vDSO
// each read is one.
func TestUserVDSO(t *testing.T) {
	goProg := userProgram{"userclock", goProgram(t, &userclockBuild, "qemu/testdata/userclock"), nil}
	cProg := userProgram{"clock", cProgram(t, &clockBuild, "clock"), nil}
	m, err := userMachine(userImage(t, goProg, cProg), statsOptions...)
	if err != nil {
		t.Fatal(err)
	}
	var port int
	m.ExtraArgs, port = userNetwork(t, "virtio-net-pci", statsPort)
	g := runGuest(t, m)
	if e := g.waitEnd("clock", 3*time.Minute); e.signal != 0 || e.status != 0 {
		t.Errorf("clock: %v", e)
	}
	g.waitFor("userclock: done", 3*time.Minute)
	out := g.output()
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "clock: ") {
			t.Log(strings.TrimSpace(l))
		}
	}
	if !strings.Contains(out, "clock: ok") {
		t.Errorf("clock did not pass")
	}
	var reads, back, elapsed, bracket, wall, sysWall int64
	if mm := userclockRE.FindStringSubmatch(out); mm == nil {
		t.Errorf("no results from userclock")
	} else {
		fmt.Sscan(strings.Join(mm[1:], " "), &reads, &back, &elapsed, &bracket, &wall, &sysWall)
		t.Logf("userclock: %d reads of time.Now in %v (%v between the system calls); wall clock %v, %v before the kernel's",
			reads, time.Duration(elapsed), time.Duration(bracket), time.Unix(0, wall).UTC(), time.Duration(sysWall-wall))
		if back != 0 || elapsed <= 0 || elapsed > bracket {
			t.Errorf("time.Now went back %d times, or read %v between system calls %v apart", back, time.Duration(elapsed), time.Duration(bracket))
		}
		if d := sysWall - wall; d < 0 || d > int64(time.Second) {
			t.Errorf("time.Now's wall clock is %v before the kernel's", time.Duration(d))
		}
	}

	sg := &statsGuest{guest: g, stats: fmt.Sprint("127.0.0.1:", port)}
	c := sg.counters(t)
	n, ok := c["kernel.syscall.clock_gettime"]
	t.Logf("kernel.syscall.clock_gettime %d, kernel.ProcSyscalls %d", n, c["kernel.ProcSyscalls"])
	if !ok || n > 1000 {
		t.Errorf("kernel.syscall.clock_gettime = %d (listed: %v) after 110,000 clock reads by processes, want near zero", n, ok)
	}
	checkKernelHealthy(t, g.output())
}
