// Command smpwork exercises every CPU: -hash hashes a fixed amount of data
// in one goroutine per CPU and says how long it took, -stress passes
// messages between goroutines on threads of their own (each hand-off a
// futex wake-up across CPUs) and through a contended mutex for a while,
// and fails if the traffic stops.
package main

import (
	"crypto/sha256"
	"flag"
	"fmt"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	hash := flag.Int("hash", 0, "MiB to hash, split over the CPUs")
	stress := flag.Duration("stress", 0, "how long to pass messages")
	flag.Parse()
	fmt.Printf("smpwork: %d CPUs, GOMAXPROCS %d\n", runtime.NumCPU(), runtime.GOMAXPROCS(0))
	if *hash > 0 {
		hashAll(*hash)
	}
	if *stress > 0 {
		if !stressAll(*stress) {
			os.Exit(1)
		}
	}
}

func hashAll(mib int) {
	n := runtime.GOMAXPROCS(0)
	buf := make([]byte, 64<<10)
	blocks := mib * 16 // of 64 KiB
	start := time.Now()
	var wg sync.WaitGroup
	for w := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h := sha256.New()
			for i := w; i < blocks; i += n {
				h.Write(buf)
			}
			h.Sum(nil)
		}()
	}
	wg.Wait()
	fmt.Printf("hash: %d MiB in %d goroutines: %d ms\n", mib, n, time.Since(start).Milliseconds())
}

// stressAll runs ping-pong pairs of goroutines locked to their threads,
// so every hand-off parks one thread and wakes another through a futex,
// and goroutines taking turns on a mutex. A watchdog fails the run when
// a second passes without a hand-off or without a turn (a lost wake-up).
func stressAll(d time.Duration) bool {
	pairs := 2 * runtime.GOMAXPROCS(0)
	var handoffs, turns atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range pairs {
		ping, pong := make(chan int), make(chan int)
		wg.Add(2)
		go func() {
			defer wg.Done()
			runtime.LockOSThread()
			for i := 0; ; i++ {
				select {
				case <-stop:
					close(ping)
					return
				case ping <- i:
				}
				if <-pong != i {
					panic("pong out of order")
				}
				handoffs.Add(1)
			}
		}()
		go func() {
			defer wg.Done()
			runtime.LockOSThread()
			for v := range ping {
				pong <- v
			}
		}()
	}
	var mu sync.Mutex
	counter := 0
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				mu.Lock()
				counter++
				mu.Unlock()
				turns.Add(1)
			}
		}()
	}
	end := time.Now().Add(d)
	lastH, lastT, ok := int64(-1), int64(-1), true
	for time.Now().Before(end) {
		time.Sleep(time.Second)
		h, t := handoffs.Load(), turns.Load()
		if h == lastH || t == lastT {
			ok = false
			fmt.Printf("stress: stalled: %d hand-offs, %d turns, as a second ago\n", h, t)
			break
		}
		lastH, lastT = h, t
	}
	close(stop)
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		fmt.Println("stress: goroutines did not stop")
		ok = false
	}
	fmt.Printf("stress: %d hand-offs between %d thread pairs, %d mutex turns in %v, ok %v\n", handoffs.Load(), pairs, turns.Load(), d, ok)
	return ok
}
