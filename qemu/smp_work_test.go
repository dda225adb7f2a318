package qemu_test

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestSMPScaling hashes the same data in one goroutine per CPU at -smp 1
// and -smp 2 (qemu/testdata/smpwork) and compares the times the guest
// measured: with threads on both CPUs at once the second must take less
// than 0.8 of the first (issue 14's target is 0.6). TCG runs each vCPU on
// a host thread, so the figure also depends on the host's other load: it
// is logged, each time is the quickest of the boots so far, and up to
// three rounds of the two boots are made before the test fails.
func TestSMPScaling(t *testing.T) {
	re := regexp.MustCompile(`hash: \d+ MiB in (\d+) goroutines: (\d+) ms`)
	best := map[int]float64{}
	ratio := 0.0
	for round := 1; round <= 3; round++ {
		for _, cpus := range []int{1, 2} {
			out, status, err := bootExample(t, "qemu/testdata/smpwork", boot{CPUs: cpus, Args: []string{"-hash", "48"}})
			if err != nil {
				t.Fatal(err)
			}
			m := re.FindStringSubmatch(out)
			if m == nil || status != 0 {
				t.Fatalf("-smp %d: no hash line, or status %d", cpus, status)
			}
			if m[1] != strconv.Itoa(cpus) {
				t.Fatalf("-smp %d: %s goroutines, want one a CPU (GOMAXPROCS from sched_getaffinity)", cpus, m[1])
			}
			v, _ := strconv.ParseFloat(m[2], 64)
			if old, ok := best[cpus]; !ok || v < old {
				best[cpus] = v
			}
		}
		ratio = best[2] / best[1]
		t.Logf("round %d, hash 48 MiB: -smp 1 %.0f ms, -smp 2 %.0f ms: %.2fx the time, %.2fx the throughput", round, best[1], best[2], ratio, 1/ratio)
		if ratio < 0.8 {
			return
		}
	}
	t.Errorf("-smp 2 took %.2fx the time of -smp 1, want < 0.8", ratio)
}

// TestSMPStress passes messages between goroutines locked to their
// threads (each hand-off a futex wait and wake, across CPUs) and through
// a contended mutex for 10 s at -smp 2 and 4; any second without a
// message moving, or goroutines that do not stop, is a lost wake-up.
func TestSMPStress(t *testing.T) {
	for _, cpus := range []int{2, 4} {
		t.Run(fmt.Sprintf("smp%d", cpus), func(t *testing.T) {
			out, status, err := bootExample(t, "qemu/testdata/smpwork", boot{CPUs: cpus, Args: []string{"-stress", "10s"}, Timeout: 3 * time.Minute})
			if err != nil {
				t.Fatal(err)
			}
			if status != 0 || !strings.Contains(out, "ok true") {
				t.Errorf("stress failed (status %d)", status)
			}
		})
	}
}

var smpworkBuild hostBuild // testdata/smpwork

// TestUserSMP runs qemu/testdata/smpwork as plain Linux programs, ring-3
// processes, at -smp 2: one passes messages between threads for 5 s
// (futexes across CPUs in a process's own address space), one hashes in
// a thread per CPU beside it. Both must end with status 0.
func TestUserSMP(t *testing.T) {
	prog := goProgram(t, &smpworkBuild, "qemu/testdata/smpwork")
	image := userImage(t,
		userProgram{"stress", prog, []string{"-stress", "5s"}},
		userProgram{"hash", prog, []string{"-hash", "16"}},
	)
	m, err := userMachine(image)
	if err != nil {
		t.Fatal(err)
	}
	m.CPUs = 2
	out, status := runUser(t, m)
	pids, ends := consoleProcs(out)
	for _, name := range []string{"stress", "hash"} {
		if e, ok := ends[pids[name]]; !ok || e.signal != 0 || e.status != 0 {
			t.Errorf("/bin/%s: %v, want exit status 0", name, e)
		}
	}
	// (GOMAXPROCS is proc/init's, whatever the CPUs.)
	if !strings.Contains(out, "smpwork: 2 CPUs,") || !strings.Contains(out, "ok true") || status != 0 {
		t.Errorf("smpwork did not see 2 CPUs or the stress failed (status %d)", status)
	}
}
