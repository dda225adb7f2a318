// Command userclock reads the clock through the vDSO as a ring-3 process:
// 100,000 calls of time.Now, bracketed by CLOCK_MONOTONIC read by system
// call, then the wall clock both ways. It prints one line of results and
// "userclock: done", then waits, so that the test can read the machine's
// counters while it still runs.
package main

import (
	"fmt"
	"syscall"
	"time"
	"unsafe"
)

const reads = 100_000

// sysClock reads clock id by a real system call, not the vDSO.
func sysClock(id uintptr) int64 {
	var ts syscall.Timespec
	if _, _, e := syscall.RawSyscall(syscall.SYS_CLOCK_GETTIME, id, uintptr(unsafe.Pointer(&ts)), 0); e != 0 {
		panic(e)
	}
	return ts.Nano()
}

func main() {
	mono0 := sysClock(1) // CLOCK_MONOTONIC
	start := time.Now()
	prev, back := start, 0
	for range reads {
		now := time.Now()
		if now.Before(prev) {
			back++
		}
		prev = now
	}
	elapsed := prev.Sub(start)
	mono1 := sysClock(1)
	wall := time.Now().UnixNano()
	sysWall := sysClock(0) // CLOCK_REALTIME
	fmt.Printf("userclock: reads=%d backwards=%d elapsed=%d bracket=%d wall=%d syswall=%d\n",
		reads, back, elapsed.Nanoseconds(), mono1-mono0, wall, sysWall)
	fmt.Println("userclock: done")
	for {
		time.Sleep(time.Hour)
	}
}
