package kernel

import (
	"math/bits"

	"warren.dev/kernel/cpu"
	"warren.dev/kernel/tsc"
)

// The clock is the TSC, its frequency found at boot: under TCG and
// on hardware without kvmclock it is the cheapest monotonic source, and
// the vDSO reads it from user mode with no trap.
//
// ns = base + (tsc - tsc0) * mult >> 32.

// clockData is read by the vDSO's code (vdso_amd64.s) on the clock page.
type clockData struct {
	tsc0     uint64 // TSC at boot
	mult     uint64 // ns per TSC tick, as a 32.32 fixed-point value
	realBase int64  // CLOCK_REALTIME at tsc0, in ns since the epoch
	tscHz    uint64
}

// clock points at the clock page (vdso.go) from setupVDSO on, so user
// mode reads what the kernel writes; bootClock serves before (and in host
// tests).
var (
	clock     = &bootClock
	bootClock clockData
)

// nanotime returns CLOCK_MONOTONIC in nanoseconds since boot.
//
// Context: kernel (no allocation, no pointer stores).
func nanotime() int64 {
	return int64(tscToNanos(cpu.Rdtsc() - clock.tsc0))
}

// tscToNanos converts a TSC delta to nanoseconds.
func tscToNanos(d uint64) uint64 {
	hi, lo := bits.Mul64(d, clock.mult)
	return hi<<32 | lo>>32
}

// nanosToTSC converts nanoseconds to TSC ticks.
func nanosToTSC(ns uint64) uint64 {
	hi, lo := bits.Mul64(ns, clock.tscHz)
	q, _ := bits.Div64(hi%1e9, lo, 1e9)
	return q
}

// initClock calibrates the TSC (kernel/tsc chooses the source), says
// which source it used, and reads the wall clock.
//
// Context: kernel (no allocation, no pointer stores).
func initClock() {
	hz, src := tsc.Calibrate(hardware{}, tsc.Config{PMTimerPort: acpiInfo.PMTimerPort, PMTimer32: acpiInfo.PMTimer32})
	var l line
	if hz == 0 {
		hz = 1e9 // keep time moving, wrong as it may run
		l.s("warren: clock: no source gives the TSC frequency; assuming 1 GHz").put()
	} else {
		l.s("warren: clock: TSC at ").u(hz / 1e6).s(" MHz (").s(src.String()).s(")").put()
	}
	clock.tscHz = hz
	clock.mult = (1e9 << 32) / hz
	clock.tsc0 = cpu.Rdtsc()
	clock.realBase = readRTC() * 1e9
}

// realtime returns CLOCK_REALTIME in nanoseconds.
//
// Context: kernel (no allocation, no pointer stores).
func realtime() int64 { return clock.realBase + nanotime() }
