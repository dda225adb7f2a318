package tsc

// A leaf above the CPU's maximum returns another leaf's values (Intel
// repeats the highest basic leaf; QEMU's TCG "max" CPU, an AMD with
// maximum leaf 0xd, does), so each leaf is read only below the maximum
// its range states.

// fromLeaf15 reads CPUID leaf 0x15: EBX/EAX is the TSC's ratio to the
// core crystal clock, ECX the crystal's frequency (0 when not given).
func fromLeaf15(hw Hardware) uint64 {
	if max, _, _, _ := hw.CPUID(0, 0); max < 0x15 {
		return 0
	}
	den, num, crystal, _ := hw.CPUID(0x15, 0)
	if den == 0 || num == 0 {
		return 0
	}
	return uint64(crystal) * uint64(num) / uint64(den)
}

// fromLeaf16 reads CPUID leaf 0x16's base frequency in MHz, which Intel's
// CPUs that give a TSC ratio but no crystal frequency run the TSC at.
func fromLeaf16(hw Hardware) uint64 {
	max, _, _, _ := hw.CPUID(0, 0)
	if max < 0x16 {
		return 0
	}
	if den, num, crystal, _ := hw.CPUID(0x15, 0); den == 0 || num == 0 || crystal != 0 {
		return 0
	}
	mhz, _, _, _ := hw.CPUID(0x16, 0)
	return uint64(mhz&0xffff) * 1_000_000
}

// fromHypervisorLeaf reads the timing leaf VMware defined and other
// hypervisors copied (QEMU with vmware-cpuid-freq, Firecracker and
// cloud-hypervisor when they expose it): EAX is the TSC in kHz.
func fromHypervisorLeaf(hw Hardware) uint64 {
	const (
		hypervisorBit = 1 << 31 // CPUID.1:ECX: running under a hypervisor
		base          = 0x40000000
		timing        = 0x40000010
	)
	if _, _, c, _ := hw.CPUID(1, 0); c&hypervisorBit == 0 {
		return 0
	}
	if max, _, _, _ := hw.CPUID(base, 0); max < timing || max >= base+0x10000 {
		return 0
	}
	khz, _, _, _ := hw.CPUID(timing, 0)
	return uint64(khz) * 1000
}
