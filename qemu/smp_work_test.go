package qemu_test

import (
	"crypto/sha256"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestSMPScaling hashes the same data in one goroutine per CPU at -smp 1
// and -smp 2 (examples/smpwork) and compares the times the guest
// measured: with threads on both CPUs at once the second must take less
// than 0.8 of the first (issue 14's target is 0.6). TCG runs each vCPU on
// a host thread, so the guest cannot beat what the host's other load
// leaves: each round first times the same kind of work on the host (two
// hashing goroutines at once against one alone, before and after the
// guests' runs, since other load comes and goes), and a round in which
// the host did not run the two in at most 1.25 the time of one both times
// decides nothing.
// Up to three rounds are made; all figures are logged, and the test is
// skipped if no round was decisive.
func TestSMPScaling(t *testing.T) {
	re := regexp.MustCompile(`hash: \d+ MiB in (\d+) goroutines: (\d+) ms`)
	for round := 1; round <= 3; round++ {
		host := hostHashRatio()
		ms := map[int]float64{}
		for _, cpus := range []int{1, 2} {
			out, status, err := bootExample(t, "examples/smpwork", boot{CPUs: cpus, Args: []string{"-hash", "48"}})
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
			ms[cpus], _ = strconv.ParseFloat(m[2], 64)
		}
		host = max(host, hostHashRatio())
		ratio := ms[2] / ms[1]
		t.Logf("round %d, hash 48 MiB: -smp 1 %.0f ms, -smp 2 %.0f ms: %.2fx the time, %.2fx the throughput (the host: two hashers in %.2fx the time of one)",
			round, ms[1], ms[2], ratio, 1/ratio, host)
		switch {
		case ratio < 0.8:
			return
		case host <= 1.25:
			t.Fatalf("-smp 2 took %.2fx the time of -smp 1, want < 0.8, while the host ran two at %.2fx", ratio, host)
		}
	}
	t.Skip("the host, loaded by other work, never ran two hashing threads at once; nothing decided")
}

// hostHashRatio times SHA-256 over 32 MiB in two goroutines at once
// against the quicker of two runs of one alone, on the host.
func hostHashRatio() float64 {
	buf := make([]byte, 64<<10)
	run := func(n int) time.Duration {
		start := time.Now()
		var wg sync.WaitGroup
		for range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				h := sha256.New()
				for range 512 {
					h.Write(buf)
				}
			}()
		}
		wg.Wait()
		return time.Since(start)
	}
	one := min(run(1), run(1))
	return float64(run(2)) / float64(one)
}

// TestSMPStress passes messages between goroutines locked to their
// threads (each hand-off a futex wait and wake, across CPUs) and through
// a contended mutex for 10 s at -smp 2 and 4; any second without a
// message moving, or goroutines that do not stop, is a lost wake-up.
func TestSMPStress(t *testing.T) {
	for _, cpus := range []int{2, 4} {
		t.Run(fmt.Sprintf("smp%d", cpus), func(t *testing.T) {
			out, status, err := bootExample(t, "examples/smpwork", boot{CPUs: cpus, Args: []string{"-stress", "10s"}, Timeout: 3 * time.Minute})
			if err != nil {
				t.Fatal(err)
			}
			if status != 0 || !strings.Contains(out, "ok true") {
				t.Errorf("stress failed (status %d)", status)
			}
		})
	}
}

var smpworkBuild hostBuild // examples/smpwork

// TestUserSMP runs examples/smpwork as plain Linux programs, ring-3
// processes, at -smp 2: one passes messages between threads for 5 s
// (futexes across CPUs in a process's own address space), one hashes in
// a thread per CPU beside it. Both must end with status 0.
func TestUserSMP(t *testing.T) {
	prog := goProgram(t, &smpworkBuild, "examples/smpwork")
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
