package kernel

import (
	"golang.org/x/sys/unix"

	"warren.dev/kernel/cpu"
)

// clockNow reads a POSIX clock in nanoseconds.
//
// Context: kernel (no allocation, no pointer stores).
func clockNow(clk uint64) (int64, unix.Errno) {
	switch clk {
	case unix.CLOCK_REALTIME, unix.CLOCK_REALTIME_COARSE:
		return realtime(), 0
	case unix.CLOCK_MONOTONIC, unix.CLOCK_MONOTONIC_RAW, unix.CLOCK_MONOTONIC_COARSE, unix.CLOCK_BOOTTIME:
		return nanotime(), 0
	case unix.CLOCK_PROCESS_CPUTIME_ID, unix.CLOCK_THREAD_CPUTIME_ID:
		return nanotime(), 0 // CPU time is not accounted; wall time bounds it
	}
	return 0, unix.EINVAL
}

func sysClockGettime(f *cpu.TrapFrame) (uint64, unix.Errno) {
	ns, e := clockNow(f.RDI)
	if e != 0 {
		return 0, e
	}
	return 0, writeTimespec(f.RSI, ns)
}

func sysClockGetres(f *cpu.TrapFrame) (uint64, unix.Errno) {
	if _, e := clockNow(f.RDI); e != 0 {
		return 0, e
	}
	if f.RSI == 0 {
		return 0, 0
	}
	return 0, writeTimespec(f.RSI, 1)
}

func sysGettimeofday(f *cpu.TrapFrame) (uint64, unix.Errno) {
	if f.RDI == 0 {
		return 0, 0
	}
	ns := realtime()
	var b [16]byte
	put64(b[0:], uint64(ns/1e9))
	put64(b[8:], uint64(ns%1e9/1e3))
	return 0, copyOut(f.RDI, b[:])
}

func sysTime(f *cpu.TrapFrame) (uint64, unix.Errno) {
	s := uint64(realtime() / 1e9)
	if f.RDI != 0 {
		if e := store64(f.RDI, s); e != 0 {
			return 0, e
		}
	}
	return s, 0
}
