#include "textflag.h"

// swtch saves the running thread's kernel context (BP and the return
// address stay on its stack) by storing its stack pointer into *from, then
// resumes the thread whose stack pointer is to.
TEXT ·swtch(SB), NOSPLIT|NOFRAME, $0-16
	MOVQ from+0(FP), AX
	MOVQ to+8(FP), BX
	PUSHQ BP
	MOVQ SP, (AX)
	MOVQ BX, SP
	POPQ BP
	RET
