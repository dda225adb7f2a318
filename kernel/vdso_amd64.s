#include "textflag.h"

// The vDSO's functions: called from user mode with the System V ABI (DI,
// SI arguments; AX result; BX, BP, R12-R15 preserved). They read the TSC
// and the clock parameters in clockData (clock.go): tsc0 at 0, mult at 8,
// realBase at 16.

// int __vdso_clock_gettime(clockid_t clk, struct timespec *ts)
TEXT ·vdsoClockGettime(SB), NOSPLIT|NOFRAME, $0
	XORQ R8, R8 // base to add: 0 for monotonic clocks
	CMPL DI, $1 // CLOCK_MONOTONIC
	JEQ now
	CMPL DI, $4 // CLOCK_MONOTONIC_RAW
	JEQ now
	CMPL DI, $6 // CLOCK_MONOTONIC_COARSE
	JEQ now
	CMPL DI, $7 // CLOCK_BOOTTIME
	JEQ now
	MOVQ ·clock+16(SB), R8
	CMPL DI, $0 // CLOCK_REALTIME
	JEQ now
	CMPL DI, $5 // CLOCK_REALTIME_COARSE
	JEQ now
	MOVL $228, AX // SYS_clock_gettime: let the kernel answer or refuse
	SYSCALL
	RET
now:
	RDTSC
	SHLQ $32, DX
	ORQ DX, AX
	SUBQ ·clock+0(SB), AX
	MULQ ·clock+8(SB) // DX:AX = ticks * mult (32.32 fixed point)
	SHRQ $32, AX
	SHLQ $32, DX
	ORQ DX, AX
	ADDQ R8, AX
	XORQ DX, DX
	MOVQ $1000000000, CX
	DIVQ CX
	MOVQ AX, 0(SI)
	MOVQ DX, 8(SI)
	XORL AX, AX
	RET

// int __vdso_gettimeofday(struct timeval *tv, struct timezone *tz)
TEXT ·vdsoGettimeofday(SB), NOSPLIT|NOFRAME, $0
	TESTQ DI, DI
	JEQ done
	RDTSC
	SHLQ $32, DX
	ORQ DX, AX
	SUBQ ·clock+0(SB), AX
	MULQ ·clock+8(SB)
	SHRQ $32, AX
	SHLQ $32, DX
	ORQ DX, AX
	ADDQ ·clock+16(SB), AX
	XORQ DX, DX
	MOVQ $1000000000, CX
	DIVQ CX
	MOVQ AX, 0(DI)
	MOVQ DX, AX
	XORQ DX, DX
	MOVQ $1000, CX
	DIVQ CX
	MOVQ AX, 8(DI)
done:
	XORL AX, AX
	RET

TEXT ·vdsoSymbols(SB), NOSPLIT, $0-16
	MOVQ $·vdsoClockGettime(SB), AX
	MOVQ AX, clockGettime+0(FP)
	MOVQ $·vdsoGettimeofday(SB), AX
	MOVQ AX, gettimeofday+8(FP)
	RET
