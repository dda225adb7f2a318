#include "go_asm.h"
#include "textflag.h"

// The vDSO's code. It never runs here: setupVDSO (vdso.go) copies it into
// the vDSO page at vdsoCodeOffset, where the program and every process
// call it from user mode with the System V ABI (DI, SI arguments; AX
// result; BX, BP, R12-R15 preserved). It reads the clock parameters
// (clockData, clock.go) from the clock page, the page just before its
// own: the LEAQ of its own symbol is RIP-relative, so in the copy it
// yields the copy's address, and the code depends on nothing else.
//
// __vdso_gettimeofday is at offset 0 and __vdso_clock_gettime at
// vdsoClockGettimeOffset, whose end they share; PCALIGN pads the whole
// to vdsoCodeSize.

#define TSC0 (clockData_tsc0-const_pageSize)(R9)
#define MULT (clockData_mult-const_pageSize)(R9)
#define REALBASE (clockData_realBase-const_pageSize)(R9)

TEXT ·vdsoCode(SB), NOSPLIT|NOFRAME, $0
	// int __vdso_gettimeofday(struct timeval *tv, struct timezone *tz)
	TESTQ DI, DI
	JEQ done
	LEAQ ·vdsoCode(SB), R9
	ANDQ $-const_pageSize, R9
	MOVQ DI, SI
	MOVL $1, R10 // write a timeval
	MOVQ REALBASE, R8
	JMP now

	PCALIGN $const_vdsoClockGettimeOffset
	// int __vdso_clock_gettime(clockid_t clk, struct timespec *ts)
	LEAQ ·vdsoCode(SB), R9
	ANDQ $-const_pageSize, R9 // the code's page; the clock page precedes it
	XORL R10, R10 // write a timespec
	XORQ R8, R8 // base to add: 0 for monotonic clocks
	CMPL DI, $1 // CLOCK_MONOTONIC
	JEQ now
	CMPL DI, $4 // CLOCK_MONOTONIC_RAW
	JEQ now
	CMPL DI, $6 // CLOCK_MONOTONIC_COARSE
	JEQ now
	CMPL DI, $7 // CLOCK_BOOTTIME
	JEQ now
	MOVQ REALBASE, R8
	CMPL DI, $0 // CLOCK_REALTIME
	JEQ now
	CMPL DI, $5 // CLOCK_REALTIME_COARSE
	JEQ now
	MOVL $228, AX // SYS_clock_gettime: let the kernel answer or refuse
	SYSCALL
	RET
now: // R8 + now as seconds at 0(SI) and, if R10 is 0, nanoseconds at 8(SI), else microseconds
	RDTSC
	SHLQ $32, DX
	ORQ DX, AX
	SUBQ TSC0, AX
	MULQ MULT // DX:AX = ticks * mult (32.32 fixed point)
	SHRQ $32, AX
	SHLQ $32, DX
	ORQ DX, AX
	ADDQ R8, AX
	XORQ DX, DX
	MOVQ $1000000000, CX
	DIVQ CX
	MOVQ AX, 0(SI)
	TESTL R10, R10
	JNE micro
	MOVQ DX, 8(SI)
	XORL AX, AX
	RET
micro:
	MOVQ DX, AX
	XORQ DX, DX
	MOVQ $1000, CX
	DIVQ CX
	MOVQ AX, 8(SI)
done:
	XORL AX, AX
	RET
	PCALIGN $const_vdsoCodeSize

// func vdsoCodeAddr() uint64
TEXT ·vdsoCodeAddr(SB), NOSPLIT, $0-8
	MOVQ $·vdsoCode(SB), AX
	MOVQ AX, ret+0(FP)
	RET
