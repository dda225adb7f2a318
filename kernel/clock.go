package kernel

import (
	"math/bits"

	"warren.dev/kernel/cpu"
)

// The clock is the TSC, calibrated against the PIT at boot: under TCG and
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

// PIT ports and constants (Intel 8254 datasheet).
const (
	pitHz       = 1193182
	pitCh2Data  = pitPort + 2
	pitCommand  = pitPort + 3
	pitGatePort = 0x61 // NMI status and control: bit 0 gates channel 2, bit 5 is its output
)

// calibrateTSC measures the TSC frequency against PIT channel 2 counting
// down for 10 ms: reading the gate port costs about a microsecond, so the
// error stays near 0.01% while boot stays short.
//
// Context: kernel (no allocation, no pointer stores).
func calibrateTSC() uint64 {
	const ticks = pitHz / 100
	gate := cpu.Inb(pitGatePort)
	cpu.Outb(pitGatePort, gate&^0x02|0x01) // speaker off, gate on
	cpu.Outb(pitCommand, 0xb0)             // channel 2, lobyte/hibyte, mode 0, binary
	cpu.Outb(pitCh2Data, ticks&0xff)
	cpu.Outb(pitCh2Data, ticks>>8)
	// Mode 0 starts counting on the gate's rising edge: pulse it.
	g := cpu.Inb(pitGatePort)
	cpu.Outb(pitGatePort, g&^0x01)
	cpu.Outb(pitGatePort, g|0x01)
	start := cpu.Rdtsc()
	for cpu.Inb(pitGatePort)&0x20 == 0 {
	}
	end := cpu.Rdtsc()
	cpu.Outb(pitGatePort, gate)
	return (end - start) * pitHz / ticks
}

// initClock calibrates the TSC and reads the wall clock.
//
// Context: kernel (no allocation, no pointer stores).
func initClock() {
	hz := calibrateTSC()
	if hz == 0 {
		hz = 1e9 // cannot happen on a working PIT; keep time moving regardless
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
