#include "go_asm.h"
#include "textflag.h"
#include "entry_amd64.h"

// trapEntry is reached from every vector stub with the vector and an error
// code pushed on top of the CPU's interrupt frame. Interrupts are off (all
// IDT entries are interrupt gates). It runs at the image's high alias
// (alias.go) on the page tables of whatever was interrupted: a process's
// map only that alias and the kernel stacks, so it first saves the
// registers and switches to the kernel's tables, then continues in
// trapBody at the image's own addresses. Only RIP-relative references
// and relative jumps work at the alias, which is why the continuation's
// address is loaded from a variable.
TEXT ·trapEntry(SB), NOSPLIT|NOFRAME, $0
	PUSHQ AX
	PUSHQ CX
	PUSHQ DX
	PUSHQ BX
	PUSHQ BP
	PUSHQ SI
	PUSHQ DI
	PUSHQ R8
	PUSHQ R9
	PUSHQ R10
	PUSHQ R11
	PUSHQ R12
	PUSHQ R13
	PUSHQ R14
	PUSHQ R15
	CLD
	MOVQ ·kernelCR3(SB), AX
	MOVQ CR3, CX
	CMPQ AX, CX
	JEQ  tables
	MOVQ AX, CR3
tables:
	MOVQ ·trapBodyPC(SB), AX
	JMP  AX

// trapBody completes the cpu.TrapFrame, saves the user's extended state,
// runs trap, and returns through trapReturn.
TEXT ·trapBody(SB), NOSPLIT|NOFRAME, $0
	TESTQ $3, FRAME_CS(SP)
	JZ kernel
	// Kernel Go code uses vector registers: save the user's first.
	THIS_CPU
	MOVQ cpuRecord_xsave(BX), DI
	MOVL $-1, AX
	MOVL $-1, DX
	XSAVE64 (DI)
kernel:
	KERNEL_FS
	MOVQ SP, AX
	SUBQ $16, SP
	MOVQ AX, 0(SP)
	CALL ·trap(SB)
	ADDQ $16, SP
	JMP ·trapReturn(SB)

// trapReturn resumes the context in the cpu.TrapFrame at SP. Returning to
// user mode restores the current thread's FS base and extended state,
// which the scheduler may have switched, and its process's page tables,
// which trapExit loads from the alias. They are in the CPU's record,
// which only this CPU writes: the kernel lock is no longer held here.
TEXT ·trapReturn(SB), NOSPLIT|NOFRAME, $0
	TESTQ $3, FRAME_CS(SP)
	JZ restore
	THIS_CPU
	MOVL $MSR_FS_BASE, CX
	MOVQ cpuRecord_userFS(BX), AX
	MOVQ AX, DX
	SHRQ $32, DX
	WRMSR
	MOVQ cpuRecord_xsave(BX), DI
	MOVL $-1, AX
	MOVL $-1, DX
	XRSTOR64 (DI)
	MOVQ cpuRecord_userCR3(BX), AX
	MOVQ ·trapExitPC(SB), BX
	JMP  BX
restore:
	MOVQ CR3, AX
	JMP ·trapExit(SB)

// trapExit loads the page tables in AX (unless they are loaded already:
// a CR3 write flushes the TLB) and pops the frame. It runs at the alias
// when returning to a process, whose tables map nothing else.
TEXT ·trapExit(SB), NOSPLIT|NOFRAME, $0
	MOVQ CR3, CX
	CMPQ AX, CX
	JEQ  pop
	MOVQ AX, CR3
pop:
	POPQ R15
	POPQ R14
	POPQ R13
	POPQ R12
	POPQ R11
	POPQ R10
	POPQ R9
	POPQ R8
	POPQ DI
	POPQ SI
	POPQ BP
	POPQ BX
	POPQ DX
	POPQ CX
	POPQ AX
	ADDQ $16, SP // vector, error code
	IRETQ

TEXT ·trapBodyAddr(SB), NOSPLIT, $0-8
	MOVQ $·trapBody(SB), AX
	MOVQ AX, ret+0(FP)
	RET

TEXT ·trapExitAddr(SB), NOSPLIT, $0-8
	MOVQ $·trapExit(SB), AX
	MOVQ AX, ret+0(FP)
	RET
