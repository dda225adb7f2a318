// Package tsc finds the TSC's frequency from the sources a machine may
// have, in order of trust: what the CPU or the hypervisor states through
// CPUID, then a measurement against the ACPI PM timer, the PIT or the
// CMOS real-time clock. A PC has them all; a microVM (QEMU's microvm,
// Firecracker, cloud-hypervisor) may lack the PIT's port 0x61, the PIT
// itself or ACPI, so each source checks that its hardware answers and a
// result outside MinHz..MaxHz falls through to the next one. A measurement
// is taken again, or over more seconds, when a descheduled vCPU may have
// spoilt it (measure.go, rtc.go).
//
// It runs in kmain before the Go runtime exists: nothing here allocates
// or panics, and the hardware comes through an interface so that host
// tests drive it with a model.
package tsc

// Hardware is what calibration reads and writes.
type Hardware interface {
	CPUID(leaf, subleaf uint32) (a, b, c, d uint32)
	TSC() uint64
	Inb(port uint16) uint8
	Outb(port uint16, v uint8)
	Inl(port uint16) uint32
}

// Config describes the machine beyond what CPUID tells.
type Config struct {
	PMTimerPort uint16 // the ACPI PM timer's port from the FADT; 0: none
	PMTimer32   bool   // it counts 32 bits, not 24
}

// Source says where a frequency came from.
type Source int

const (
	None       Source = iota
	CPUIDTSC          // CPUID leaf 0x15: crystal × TSC/crystal ratio
	CPUIDBase         // CPUID leaf 0x16's base frequency, when 0x15 has no crystal
	Hypervisor        // CPUID leaf 0x40000010: the hypervisor's TSC kHz
	PMTimer           // measured against the ACPI PM timer
	PITGate           // measured against PIT channel 2, gated through port 0x61
	PITLatch          // measured against PIT channel 0's latched count
	RTC               // measured over a second of the CMOS real-time clock
)

// String names a source for the boot line.
func (s Source) String() string {
	switch s {
	case CPUIDTSC:
		return "CPUID leaf 0x15"
	case CPUIDBase:
		return "CPUID leaf 0x16"
	case Hypervisor:
		return "hypervisor CPUID leaf 0x40000010"
	case PMTimer:
		return "ACPI PM timer"
	case PITGate:
		return "PIT channel 2"
	case PITLatch:
		return "PIT channel 0"
	case RTC:
		return "CMOS RTC"
	}
	return "none"
}

// Frequencies accepted from any source: a TSC outside this range is a
// source misreporting or a measurement gone wrong.
const (
	MinHz = 100_000_000
	MaxHz = 10_000_000_000
)

// Calibrate returns the TSC frequency from the first source that gives a
// plausible one, or 0 and None when none does.
func Calibrate(hw Hardware, cfg Config) (uint64, Source) {
	for _, s := range [...]Source{CPUIDTSC, CPUIDBase, Hypervisor, PMTimer, PITGate, PITLatch, RTC} {
		if hz := s.frequency(hw, cfg); hz >= MinHz && hz <= MaxHz {
			return hz, s
		}
	}
	return 0, None
}

// frequency asks one source; 0 means it has no answer.
func (s Source) frequency(hw Hardware, cfg Config) uint64 {
	switch s {
	case CPUIDTSC:
		return fromLeaf15(hw)
	case CPUIDBase:
		return fromLeaf16(hw)
	case Hypervisor:
		return fromHypervisorLeaf(hw)
	case PMTimer:
		return measurePMTimer(hw, cfg)
	case PITGate:
		return measurePITGate(hw)
	case PITLatch:
		return measurePITLatch(hw)
	case RTC:
		return measureRTC(hw)
	}
	return 0
}
