package tsc

import "warren.dev/kernel/cmos"

// The CMOS real-time clock is the last resort: a machine with neither
// the PIT nor an ACPI PM timer (QEMU's microvm with pit=off, acpi=off)
// still has it. Its registers only say when a second ends, so the TSC is
// measured over whole seconds, which makes such a boot a second or two
// slower (more on a busy host).
//
// A second ends when the seconds register moves on. Register A's
// update-in-progress bit is no clock to go by: it is up for 244 µs, which
// a descheduled vCPU misses, and QEMU holds it up until its timer runs,
// milliseconds late while a vCPU keeps reading the clock. It guards reads:
// the MC146818 updates no sooner than 244 µs after the bit reads clear, so
// a value read right after is whole, while one read with the bit up may
// be torn by the update, unless it spells the next second, which a torn
// read could hardly do. Each end is bracketed by the last read of the old
// second and the first trusted read of a new one; a bracket a deschedule
// widened is waited out.
const (
	// rtcWait bounds the wait for a second to end, in TSC ticks: three
	// seconds at 8 GHz, more at any real rate. A count of reads bounded
	// it before, but under TCG a read can take well under a microsecond.
	rtcWait = 24_000_000_000

	// rtcEnds bounds the seconds watched after the first end for two
	// ends bracketed narrowly enough.
	rtcEnds = 10
)

// readReg reads a register. Not cmos.Read: hw is an interface, and
// making it a cmos.Ports would look up an itab in the runtime's table,
// which does not exist yet when the clock is calibrated.
func readReg(hw Hardware, reg uint8) uint8 {
	hw.Outb(cmos.IndexPort, reg|cmos.NMIOff)
	return hw.Inb(cmos.DataPort)
}

// secondEnd is the end of a second: after the TSC read from, before to,
// where the seconds register came to read sec.
type secondEnd struct {
	from, to uint64
	sec      uint8
}

// nextEnd waits for the seconds register to move on from what it reads
// first; false when it does not within rtcWait ticks. b is register B,
// which says how the seconds are coded.
func nextEnd(hw Hardware, b uint8) (secondEnd, bool) {
	var e secondEnd
	old, known := uint8(0), false
	for start := hw.TSC(); ; {
		t0 := hw.TSC()
		whole := readReg(hw, cmos.RegA)&cmos.UpdateInProgress == 0
		s := readReg(hw, cmos.RegSeconds)
		t1 := hw.TSC()
		switch {
		case !known:
			old, known, e.from = s, whole, t0
		case s == old:
			e.from = t0
		case whole || cmos.Field(s, b) == (cmos.Field(old, b)+1)%60:
			e.to, e.sec = t1, s
			return e, true
		}
		if t1-start > rtcWait {
			return e, false
		}
	}
}

func measureRTC(hw Hardware) uint64 {
	if readReg(hw, cmos.RegA) == 0xff { // nothing answers
		return 0
	}
	b := readReg(hw, cmos.RegB)
	first, ok := nextEnd(hw, b)
	if !ok {
		return 0
	}
	for range rtcEnds {
		e, ok := nextEnd(hw, b)
		if !ok {
			return 0
		}
		n := (uint64(cmos.Field(e.sec, b)) + 60 - uint64(cmos.Field(first.sec, b))) % 60
		w0, w1 := first.to-first.from, e.to-e.from
		// The ends' midpoints are each off by at most half their bracket:
		// together within 0.05% of the seconds between them.
		d := (e.from + w1/2) - (first.from + w0/2)
		if n > 0 && w0+w1 < d/1000 {
			return d / n
		}
		if w1 < w0 {
			first = e
		}
	}
	return 0
}
