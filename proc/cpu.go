package proc

import "warren.dev/kernel/cpu"

// hwcap is AT_HWCAP on x86-64: CPUID leaf 1's EDX, as Linux gives it.
func hwcap() uint64 {
	_, _, _, edx := cpu.Cpuid(1, 0)
	return uint64(edx)
}

// minSigStackSize is AT_MINSIGSTKSZ: a signal frame holds the XSAVE area
// of the features the kernel enabled (CPUID leaf 0xD's EBX, when XSAVE is
// on) plus siginfo, ucontext and alignment, which 1 KiB covers; never
// less than Linux's MINSIGSTKSZ.
func minSigStackSize() uint64 {
	const minSigStkSz, frame = 2048, 1024
	maxLeaf, _, _, _ := cpu.Cpuid(0, 0)
	_, _, ecx, _ := cpu.Cpuid(1, 0)
	const osxsave = 1 << 27
	if maxLeaf < 0xd || ecx&osxsave == 0 {
		return minSigStkSz
	}
	_, xsave, _, _ := cpu.Cpuid(0xd, 0)
	return max(minSigStkSz, uint64(xsave)+frame)
}
