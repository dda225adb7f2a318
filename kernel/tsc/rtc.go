package tsc

import "warren.dev/kernel/cmos"

// The CMOS real-time clock is the last resort: a machine with neither
// the PIT nor an ACPI PM timer (QEMU's microvm with pit=off, acpi=off)
// still has it. Its registers only say when a second ends: register A's
// update-in-progress bit falls once a second, so the TSC is measured over
// one whole second between two falls, which makes such a boot a second
// or two slower.
const (
	// rtcWait bounds the wait for a second to end, in TSC ticks: three
	// seconds at 8 GHz, more at any real rate. A count of reads bounded
	// it before, but under TCG on a loaded host a read can take well under
	// a microsecond and a descheduled vCPU misses the 244 µs in which the
	// bit is up, so the reads ran out before the second ended.
	rtcWait = 24_000_000_000
)

// readRegA reads register A. Not cmos.Read: hw is an interface, and
// making it a cmos.Ports would look up an itab in the runtime's table,
// which does not exist yet when the clock is calibrated.
func readRegA(hw Hardware) uint8 {
	hw.Outb(cmos.IndexPort, cmos.RegA|cmos.NMIOff)
	return hw.Inb(cmos.DataPort)
}

// secondEnds waits for the update-in-progress bit to fall and returns
// the TSC then; false when it does not within rtcWait ticks.
func secondEnds(hw Hardware) (uint64, bool) {
	seen := false
	for start := hw.TSC(); hw.TSC()-start < rtcWait; {
		uip := readRegA(hw)&cmos.UpdateInProgress != 0
		if seen && !uip {
			return hw.TSC(), true
		}
		seen = seen || uip
	}
	return 0, false
}

func measureRTC(hw Hardware) uint64 {
	if readRegA(hw) == 0xff { // nothing answers
		return 0
	}
	start, ok := secondEnds(hw)
	if !ok {
		return 0
	}
	end, ok := secondEnds(hw)
	if !ok {
		return 0
	}
	return end - start
}
