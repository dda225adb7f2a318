package kernel

import (
	"warren.dev/kernel/cpu"
	"warren.dev/kernel/mmio"
)

// The local APIC: interrupt acknowledgement and the one-shot timer that
// drives sleeps, timeouts and preemption (SDM Vol. 3A ch. 11).

const (
	msrAPICBase = 0x1b

	lapicID       = 0x20
	lapicTPR      = 0x80
	lapicEOI      = 0xb0
	lapicSVR      = 0xf0
	lapicLVTTimer = 0x320
	lapicLINT0    = 0x350
	lapicLINT1    = 0x360
	lapicLVTError = 0x370
	lapicICRLow   = 0x300
	lapicICRHigh  = 0x310
	lapicInitCnt  = 0x380
	lapicCurCnt   = 0x390
	lapicDivide   = 0x3e0

	icrInit     = 0x5 << 8 // delivery mode INIT
	icrStartup  = 0x6 << 8 // delivery mode start-up; the vector is the page number
	icrAssert   = 1 << 14
	icrPending  = 1 << 12 // delivery status: not yet accepted
	lvtMasked   = 1 << 16
	svrEnable   = 1 << 8
	divideBy16  = 0x3
	lapicMaxCnt = 0xffffffff
)

var (
	lapicBase uint64
	lapicHz   uint64 // timer ticks per second at divide-by-16, the same on every CPU
)

func lapicRead(reg uint64) uint32     { return mmio.Read32(lapicBase + reg) }
func lapicWrite(reg uint64, v uint32) { mmio.Write32(lapicBase+reg, v) }

// initLAPIC enables the boot CPU's local APIC and measures the timer's
// frequency against the calibrated TSC. The APIC page must be mapped.
//
// Context: kernel (no allocation, no pointer stores).
func initLAPIC() {
	enableLAPIC()
	lapicWrite(lapicDivide, divideBy16)

	lapicWrite(lapicLVTTimer, lvtMasked)
	lapicWrite(lapicInitCnt, lapicMaxCnt)
	start := cpu.Rdtsc()
	delay(5_000_000)
	elapsed := lapicMaxCnt - uint64(lapicRead(lapicCurCnt))
	ns := tscToNanos(cpu.Rdtsc() - start)
	lapicWrite(lapicInitCnt, 0)
	if ns == 0 {
		ns = 1
	}
	lapicHz = elapsed * 1e9 / ns
	if lapicHz == 0 {
		lapicHz = 1e9 / 16
	}
	lapicWrite(lapicLVTTimer, vecTimer) // one-shot, unmasked
}

// enableLAPIC enables the local APIC of the CPU it runs on, with the
// spurious vector, and masks its legacy lines and error interrupt.
//
// Context: kernel (no allocation, no pointer stores).
func enableLAPIC() {
	lapicWrite(lapicTPR, 0)
	lapicWrite(lapicSVR, svrEnable|vecSpurious)
	lapicWrite(lapicLINT0, lvtMasked)
	lapicWrite(lapicLINT1, lvtMasked)
	lapicWrite(lapicLVTError, lvtMasked)
}

// sendIPI sends an interprocessor interrupt (the ICR's low word: delivery
// mode, level, vector) to the local APIC with ID dest, and waits until
// its own APIC has sent it; false if that took longer than 100 µs.
//
// Context: kernel (no allocation, no pointer stores).
func sendIPI(dest uint32, cmd uint32) bool {
	lapicWrite(lapicICRHigh, dest<<24)
	lapicWrite(lapicICRLow, cmd)
	start, limit := cpu.Rdtsc(), nanosToTSC(100_000)
	for lapicRead(lapicICRLow)&icrPending != 0 {
		if cpu.Rdtsc()-start > limit {
			return false
		}
		cpu.Pause()
	}
	return true
}

// delay spins for ns nanoseconds of the calibrated TSC.
//
// Context: kernel (no allocation, no pointer stores).
func delay(ns uint64) {
	start, wait := cpu.Rdtsc(), nanosToTSC(ns)
	for cpu.Rdtsc()-start < wait {
		cpu.Pause()
	}
}

// ackInterrupt signals end of interrupt to the local APIC.
func ackInterrupt() { lapicWrite(lapicEOI, 0) }

// armTimer programs this CPU's one-shot timer for its next event. It runs at
// every return from a trap, and a write to the LAPIC is one of the
// dearest things a trap can do (an exit to the device model under TCG, a
// VM exit under KVM without TSC-deadline), so it writes only when the
// next event comes before the timer would fire. A timer armed for a time
// that has since moved later (a time slice renewed, a sleeper woken
// early) fires once for nothing, and the trap re-arms it; with nothing
// left to wait for, that interrupt is the last, and an idle machine takes
// no timer interrupts.
//
// Context: kernel (no allocation, no pointer stores).
func armTimer() {
	c := &cpus[kcpu]
	next := nextEvent()
	if next == 0 || c.armedAt != 0 && c.armedAt <= next {
		return
	}
	c.armedAt = next
	d := next - nanotime()
	if d < 1000 {
		d = 1000 // fire promptly, but not before the write takes effect
	}
	cnt := uint64(d) * lapicHz / 1e9
	if cnt == 0 {
		cnt = 1
	}
	if cnt > lapicMaxCnt {
		cnt = lapicMaxCnt
	}
	lapicWrite(lapicInitCnt, uint32(cnt))
	kstats.TimerArms++
}

// disablePIC remaps the legacy 8259 pair away from the exception vectors
// and masks every line: interrupts come through the APICs.
//
// Context: kernel (no allocation, no pointer stores).
func disablePIC() {
	cpu.Outb(picMasterPort, 0x11) // ICW1: init, ICW4 follows
	cpu.Outb(picSlavePort, 0x11)
	cpu.Outb(picMasterPort+1, 0xf0) // ICW2: vector offsets out of the way
	cpu.Outb(picSlavePort+1, 0xf8)
	cpu.Outb(picMasterPort+1, 4) // ICW3: slave on line 2
	cpu.Outb(picSlavePort+1, 2)
	cpu.Outb(picMasterPort+1, 1) // ICW4: 8086 mode
	cpu.Outb(picSlavePort+1, 1)
	cpu.Outb(picMasterPort+1, 0xff)
	cpu.Outb(picSlavePort+1, 0xff)
}
