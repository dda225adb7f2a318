#include "textflag.h"

// syscallEntry is where each CPU's SYSCALL stub (IA32_LSTAR,
// vectors_amd64.s) continues, on the thread's kernel stack with the user
// SS and RSP pushed. The CPU left the user RIP in CX and RFLAGS in R11,
// and masked IF: complete an interrupt-style frame so syscalls and traps
// share one path and one return (IRETQ).
TEXT ·syscallEntry(SB), NOSPLIT|NOFRAME, $0
	PUSHQ R11
	PUSHQ $0x23 // user CS (cpu.UserCS)
	PUSHQ CX
	PUSHQ $0
	PUSHQ $256 // cpu.VectorSyscall
	JMP ·trapEntry(SB)
