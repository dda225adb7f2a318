package kernel

import "warren.dev/kernel/cpu"

// xsaveSize is the size of the XSAVE area for the state components
// enabled in XCR0 (xcr0); each thread has one page for it.
var xsaveSize, xcr0 uint64

// cpuFamily is the boot CPU's display family (CPUID 1: the family field,
// plus the extended family when the field is 0xf).
var cpuFamily uint32

// setupCPU enables the extended state Go may use (x87, SSE, AVX and
// AVX-512 when present: the runtime picks code paths from CPUID and XCR0)
// and records the features the kernel relies on. It runs on the boot CPU;
// an application processor takes its CR4 and XCR0 (apMain).
//
// Context: kernel (no allocation, no pointer stores).
func setupCPU() {
	eax1, _, ecx1, _ := cpu.Cpuid(1, 0)
	if cpuFamily = eax1 >> 8 & 0xf; cpuFamily == 0xf {
		cpuFamily += eax1 >> 20 & 0xff
	}
	_, ebx7, _, _ := cpu.Cpuid(7, 0)
	const (
		ecxXSAVE   = 1 << 26
		ecxRDRAND  = 1 << 30
		ebxRDSEED  = 1 << 18
		cr4OSXSAVE = 1 << 18
	)
	haveRDRAND = ecx1&ecxRDRAND != 0
	haveRDSEED = ebx7&ebxRDSEED != 0
	const edxRDTSCP = 1 << 27
	if maxExt, _, _, _ := cpu.Cpuid(0x80000000, 0); maxExt >= 0x80000001 {
		_, _, _, edx := cpu.Cpuid(0x80000001, 0)
		haveRDTSCP = edx&edxRDTSCP != 0
	}
	if haveRDTSCP {
		cpu.Wrmsr(msrTSCAux, bootCPU) // firmware may have left another value
	}
	if ecx1&ecxXSAVE == 0 {
		bootFail("the CPU lacks XSAVE (use -cpu max or a CPU from 2011 on)")
	}
	cpu.WriteCR4(cpu.ReadCR4() | cr4OSXSAVE)
	supported, _, _, _ := cpu.Cpuid(0xd, 0)
	const (
		x87, sse, avx          = 1 << 0, 1 << 1, 1 << 2
		opmask, zmmHi256, hi16 = 1 << 5, 1 << 6, 1 << 7
	)
	xcr0 = uint64(supported) & (x87 | sse | avx | opmask | zmmHi256 | hi16)
	if xcr0&(opmask|zmmHi256|hi16) != opmask|zmmHi256|hi16 {
		xcr0 &^= opmask | zmmHi256 | hi16 // AVX-512 state is all or nothing
	}
	cpu.Xsetbv(0, xcr0)
	_, size, _, _ := cpu.Cpuid(0xd, 0)
	if size > pageSize {
		xcr0 &= x87 | sse | avx
		cpu.Xsetbv(0, xcr0)
		_, size, _, _ = cpu.Cpuid(0xd, 0)
	}
	xsaveSize = uint64(size)
}
