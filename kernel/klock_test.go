package kernel

import (
	"sync"
	"sync/atomic"
	"testing"
)

// countFlushes replaces the TLB flush with a counter for a test.
func countFlushes(t *testing.T) *atomic.Int64 {
	var n atomic.Int64
	saved := flushTLB
	flushTLB = func() { n.Add(1) }
	t.Cleanup(func() { flushTLB = saved })
	return &n
}

// The shootdown protocol over four CPUs, three of them goroutines that
// answer as their interrupt handler would, when notified: each round
// notifies and flushes every CPU but the requester exactly once, and
// returns only when all have flushed.
func TestShootdownReachesEveryOtherCPU(t *testing.T) {
	resetSched(t)
	flushes := countFlushes(t)
	ncpus = 4
	var ipi [4]chan struct{}
	var wg sync.WaitGroup
	for c := 1; c < ncpus; c++ {
		ipi[c] = make(chan struct{}, 1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range ipi[c] {
				serveShootdown(c)
			}
		}()
	}
	defer func() {
		for c := 1; c < ncpus; c++ {
			close(ipi[c])
		}
		wg.Wait()
	}()
	const rounds = 1000
	for round := 1; round <= rounds; round++ {
		var notified uint64
		flushOthers(0, func(c int) {
			notified |= 1 << c
			ipi[c] <- struct{}{}
		})
		if notified != 0b1110 {
			t.Fatalf("round %d notified CPUs %04b, want every one but the requester's", round, notified)
		}
		if got := flushes.Load(); got != int64(3*round) {
			t.Fatalf("round %d returned after %d flushes, want %d: a CPU had not flushed", round, got, 3*round)
		}
		for c := range ncpus {
			if cpus[c].flushReq.Load() != 0 {
				t.Fatalf("round %d left CPU %d's request set", round, c)
			}
		}
	}
}

// The lock holder's shootdown completes while the other CPU spins for
// the lock (it serves requests as it spins), and the spinner gets the
// lock afterwards: no deadlock between the two waits.
func TestShootdownServedWhileSpinningForLock(t *testing.T) {
	resetSched(t)
	flushes := countFlushes(t)
	ncpus = 2
	if !lockKernel(0) {
		t.Fatal("CPU 0 did not take the lock")
	}
	done := make(chan bool)
	go func() { done <- lockKernel(1) }()
	for cpus[1].flushReq.Load() == 0 && flushes.Load() == 0 {
		flushOthers(0, func(int) {}) // no interrupt: only the spin can answer
	}
	if flushes.Load() == 0 {
		t.Fatal("the shootdown returned without CPU 1 flushing")
	}
	unlockKernel()
	if !<-done || kcpu != 1 {
		t.Fatalf("CPU 1 did not get the lock after the shootdown (kcpu %d)", kcpu)
	}
	unlockKernel()
}

func TestUnlockWakesEachParkOnce(t *testing.T) {
	defer lockParked.Store(0)
	lockParked.Store(1<<1 | 1<<3)
	if c, ok := claimParked(0); !ok || c != 1 {
		t.Fatalf("first release woke %d, %v; want CPU 1", c, ok)
	}
	if c, ok := claimParked(0); !ok || c != 3 {
		t.Fatalf("second release woke %d, %v; want CPU 3 (CPU 1 was woken already)", c, ok)
	}
	if c, ok := claimParked(0); ok {
		t.Fatalf("third release woke CPU %d; every park was woken already", c)
	}
	lockParked.Store(1 << 2)
	if c, ok := claimParked(2); ok {
		t.Fatalf("CPU 2 woke itself (%d)", c)
	}
	if lockParked.Load() != 1<<2 {
		t.Fatalf("lockParked %#b after a release by the parked CPU, want its bit kept", lockParked.Load())
	}
}
