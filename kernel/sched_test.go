package kernel

import (
	"sync"
	"testing"
	"time"
)

// resetSched empties the run queue and the thread table for a test.
func resetSched(t *testing.T) {
	t.Cleanup(func() {
		runq = emptyList
		threads = [maxThreads]thread{}
		threadHigh = firstThread
		idleCPUs, ncpus, kcpu, cur = 0, 0, 0, 0
		cpus = [maxCPUs]cpuRecord{}
	})
}

func TestRunQueueFIFO(t *testing.T) {
	resetSched(t)
	a, b, c := int32(firstThread), int32(firstThread+1), int32(firstThread+7)
	for _, i := range []int32{b, a, c} {
		enqueue(i)
		if threads[i].state != threadRunnable {
			t.Fatalf("thread %d: state %d after enqueue", i, threads[i].state)
		}
	}
	for _, want := range []int32{b, a, c, -1} {
		if got := dequeue(); got != want {
			t.Fatalf("dequeue: %d, want %d", got, want)
		}
	}
	if runq != emptyList {
		t.Fatalf("empty queue: head %d tail %d", runq.head, runq.tail)
	}
	enqueue(a) // the tail is reset: a queue emptied takes new threads
	if dequeue() != a || dequeue() != -1 {
		t.Fatal("queue reused after emptying")
	}
}

func TestOtherIdleCPU(t *testing.T) {
	for _, tc := range []struct {
		idle uint64
		me   int
		want int
		ok   bool
	}{
		{0, 0, 0, false},
		{1, 0, 0, false},    // itself only: one CPU sends no IPI
		{0b110, 0, 1, true}, // the lowest other
		{0b101, 0, 2, true},
		{0b011, 1, 0, true},
		{1 << 63, 5, 63, true},
		{1 << 63, 63, 0, false},
	} {
		c, ok := otherIdleCPU(tc.idle, tc.me)
		if ok != tc.ok || ok && c != tc.want {
			t.Errorf("otherIdleCPU(%#b, %d) = %d, %v; want %d, %v", tc.idle, tc.me, c, ok, tc.want, tc.ok)
		}
	}
}

func TestIdleThreadSlots(t *testing.T) {
	for c := int32(0); c < maxCPUs; c++ {
		if !isIdle(c) {
			t.Errorf("slot %d: not CPU %d's idle thread", c, c)
		}
	}
	if isIdle(firstThread) || maxThreads-firstThread != 511 {
		t.Errorf("ordinary threads: from %d, %d slots", firstThread, maxThreads-firstThread)
	}
}

func TestOnlineMask(t *testing.T) {
	defer func() { ncpus = 0 }()
	for n, want := range map[int]uint64{1: 1, 2: 3, 4: 0xf, 64: ^uint64(0)} {
		ncpus = n
		if got := onlineMask(); got != want {
			t.Errorf("%d CPUs: mask %#x, want %#x", n, got, want)
		}
	}
}

// A dead thread is reclaimed only once no CPU runs it: its CPU may still
// be on its stack until it let go of the lock.
func TestAfterSwitchSparesCurrent(t *testing.T) {
	resetSched(t)
	ncpus = 2
	a, b := int32(firstThread), int32(firstThread+1)
	threadHigh = b + 1
	threads[a].state, threads[b].state = threadDead, threadDead
	cpus[0].cur, cpus[1].cur = 0, b
	afterSwitch()
	if threads[a].state != threadFree || threads[b].state != threadDead {
		t.Fatalf("states %d, %d: want the dead thread of no CPU freed, CPU 1's kept", threads[a].state, threads[b].state)
	}
}

// lockKernel: one holder at a time, the holder's CPU and current thread
// loaded, no second acquisition by the holder (a fault inside kernel
// context), and a waiter let in by unlockKernel.
func TestKernelLock(t *testing.T) {
	resetSched(t)
	cpus[1].cur, cpus[2].cur = firstThread+3, firstThread+4
	if !lockKernel(1) || kcpu != 1 || cur != firstThread+3 {
		t.Fatalf("lockKernel(1): kcpu %d cur %d", kcpu, cur)
	}
	if lockKernel(1) {
		t.Fatal("the holder took the lock again")
	}
	var wg sync.WaitGroup
	var got bool
	wg.Add(1)
	go func() {
		defer wg.Done()
		got = lockKernel(2)
	}()
	time.Sleep(20 * time.Millisecond)
	if bkl.Load() != 2 {
		t.Fatal("CPU 2 took the lock CPU 1 holds")
	}
	unlockKernel()
	wg.Wait()
	if !got || kcpu != 2 || cur != firstThread+4 {
		t.Fatalf("after unlock: took %v, kcpu %d cur %d", got, kcpu, cur)
	}
	unlockKernel()
}

func TestHandOff(t *testing.T) {
	resetSched(t)
	a, b, c := int32(firstThread), int32(firstThread+1), int32(firstThread+2)
	threadHigh = firstThread + 3
	cpus[kcpu].sliceEnd = 12345
	const key = 1<<63 | 0x77
	handOff(key) // nobody sleeps on it
	if runq.head != -1 {
		t.Fatal("handOff with no sleeper queued a thread")
	}
	threads[c].state, threads[c].waitKey = threadBlocked, key
	handOff(key) // alone in the queue
	if dequeue() != c || dequeue() != -1 || threads[c].sliceEnd != 12345 {
		t.Fatalf("handOff to an empty queue: slice end %d", threads[c].sliceEnd)
	}
	enqueue(a)
	enqueue(b)
	threads[c].state, threads[c].waitKey = threadBlocked, key
	handOff(key)
	if threads[c].state != threadRunnable || threads[c].sliceEnd != 12345 {
		t.Fatalf("handed-off thread: state %d slice end %d", threads[c].state, threads[c].sliceEnd)
	}
	for _, want := range []int32{c, a, b, -1} {
		if got := dequeue(); got != want {
			t.Fatalf("dequeue: %d, want %d", got, want)
		}
	}
	enqueue(c) // queued again the ordinary way: a fresh slice
	if threads[c].sliceEnd != 0 {
		t.Fatal("enqueue kept a handed-off slice end")
	}
}
