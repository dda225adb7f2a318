#include "textflag.h"

// threadStart is where a new thread's first swtch returns to: its stack
// holds only the trap frame it will leave the kernel with.
TEXT ·threadStart(SB), NOSPLIT|NOFRAME, $0
	CALL ·threadBegin(SB)
	JMP ·trapReturn(SB)

// threadStartPC returns the address of threadStart for new threads' stacks.
TEXT ·threadStartPC(SB), NOSPLIT, $0-8
	MOVQ $·threadStart(SB), AX
	MOVQ AX, ret+0(FP)
	RET

// rt0PC returns the Go runtime's Linux entry point, where the program's
// first thread starts in user mode.
TEXT ·rt0PC(SB), NOSPLIT, $0-8
	MOVQ $_rt0_amd64_linux(SB), AX
	MOVQ AX, ret+0(FP)
	RET
