// Command runtime exercises the Go runtime on Warren in one boot:
// goroutines, garbage collection, timers, recovered faults, preemption and
// entropy. It prints one line per check and exits 1 if any failed.
package main

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"runtime"
	"slices"
	"sync"
	"time"
)

var failed bool

func check(name string, ok bool, format string, args ...any) {
	status := "ok"
	if !ok {
		status = "FAIL"
		failed = true
	}
	fmt.Printf("%-10s %-4s %s\n", name, status, fmt.Sprintf(format, args...))
}

func main() {
	start := time.Now()
	ring(10_000, 100)
	allocate(2 << 30)
	sleeps(100, 10*time.Millisecond)
	nilPanic()
	divPanic()
	tightLoops(4)
	entropy()
	fmt.Printf("total      %v\n", time.Since(start).Round(time.Millisecond))
	if failed {
		os.Exit(1)
	}
}

// ring passes a token around n goroutines, laps times.
func ring(n, laps int) {
	t0 := time.Now()
	first := make(chan int)
	in := first
	for i := 0; i < n; i++ {
		out := make(chan int)
		go func(in <-chan int, out chan<- int) {
			for v := range in {
				out <- v + 1
			}
			close(out)
		}(in, out)
		in = out
	}
	last := in
	total := 0
	for lap := 0; lap < laps; lap++ {
		first <- 0
		total += <-last
	}
	close(first)
	<-last
	check("ring", total == n*laps, "%d goroutines, %d laps, %d hops in %v", n, laps, total, time.Since(t0).Round(time.Millisecond))
}

var sink []byte

// allocate churns through total bytes of short-lived garbage.
func allocate(total int) {
	t0 := time.Now()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	before := ms.TotalAlloc
	for done := 0; done < total; done += 1 << 20 {
		sink = make([]byte, 1<<20)
		sink[len(sink)-1] = 1
	}
	runtime.ReadMemStats(&ms)
	got := ms.TotalAlloc - before
	check("alloc", got >= uint64(total), "%d MiB allocated, %d GCs, heap %d MiB, sys %d MiB, in %v",
		got>>20, ms.NumGC, ms.HeapAlloc>>20, ms.Sys>>20, time.Since(t0).Round(time.Millisecond))
}

// sleeps calls time.Sleep(d) n times. None may return early; how late
// they return is reported, not checked: it depends on how busy the host
// is (warren bench reports it).
func sleeps(n int, d time.Duration) {
	late := make([]time.Duration, n)
	for i := range late {
		t0 := time.Now()
		time.Sleep(d)
		late[i] = time.Since(t0) - d
	}
	slices.Sort(late)
	check("sleep", late[0] >= 0, "%d x %v: oversleep median %v, min %v, max %v", n, d, late[n/2], late[0], late[n-1])
}

type node struct{ next *node }

func nilPanic() {
	defer func() {
		r := recover()
		err, ok := r.(runtime.Error)
		check("nil", ok, "recovered %v", err)
	}()
	var p *node
	fmt.Println(p.next)
}

var zero = 0

func divPanic() {
	defer func() {
		r := recover()
		err, ok := r.(runtime.Error)
		check("divide", ok, "recovered %v", err)
	}()
	fmt.Println(1 / zero)
}

// tightLoops runs goroutines that never call a function while GC runs:
// only asynchronous preemption (SIGURG through tgkill) can stop them.
func tightLoops(n int) {
	var stop bool
	var wg sync.WaitGroup
	var mu sync.Mutex
	counts := make([]uint64, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			var c uint64
			for !stop {
				c++
			}
			mu.Lock()
			counts[i] = c
			mu.Unlock()
		}(i)
	}
	t0 := time.Now()
	runtime.GC()
	gc := time.Since(t0)
	stop = true
	wg.Wait()
	check("preempt", true, "%d spinning goroutines, runtime.GC took %v", n, gc.Round(time.Millisecond))
}

func entropy() {
	b := make([]byte, 16)
	_, err := rand.Read(b)
	check("rand", err == nil, "crypto/rand %s", hex.EncodeToString(b))
}
