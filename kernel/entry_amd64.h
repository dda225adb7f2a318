// Definitions the entry code shares (trapentry_amd64.s, boot64_amd64.s).

// The offset of CS in cpu.TrapFrame (checked by TestTrapFrameCS).
#define FRAME_CS 144

#define MSR_FS_BASE 0xC0000100

// Point FS at the kernel's TLS block, whose g slot holds the stub g, so the
// ABI wrappers of kernel Go functions find a g whose stack bounds never ask
// for stack growth. Clobbers AX, CX, DX.
#define KERNEL_FS \
	MOVL $MSR_FS_BASE, CX; \
	MOVQ $·kernelTLS+8(SB), AX; \
	MOVQ AX, DX; \
	SHRQ $32, DX; \
	WRMSR

// THIS_CPU leaves the address of the running CPU's record, cpus[c], in BX:
// c is in IA32_TSC_AUX (percpu.go), and 0 without RDTSCP, when only the
// boot CPU runs. Clobbers AX, CX, DX.
#define THIS_CPU \
	LEAQ ·cpus(SB), BX; \
	CMPB ·haveRDTSCP(SB), $0; \
	JEQ  4(PC); \
	RDTSCP; \
	IMULQ $cpuRecord__size, CX; \
	ADDQ CX, BX
