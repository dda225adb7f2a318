#include "go_asm.h"
#include "textflag.h"

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

// threadStart is where a new thread's first swtch returns to: its stack
// holds only the trap frame it will leave the kernel with.
TEXT ·threadStart(SB), NOSPLIT|NOFRAME, $0
	CALL ·threadBegin(SB)
	JMP ·trapReturn(SB)

// start64 is entered from the 32-bit code both boot entries share
// (boot/goarch_multiboot.asm) in 64-bit mode, on its GDT and page tables
// (1 GiB identity map), with interrupts off, the loader's magic (Multiboot
// or PVH) in SI, its information structure's address in BX and the boot
// header's in BP. The upper halves of these registers are undefined after
// the switch from 32-bit code, hence the 32-bit moves.
TEXT ·start64(SB), NOSPLIT|NOFRAME, $0
	MOVL BX, BX
	MOVL SI, SI
	MOVL BP, DI
	MOVL $0x10, AX
	MOVW AX, DS
	MOVW AX, ES
	MOVW AX, SS
	MOVQ $·bootStack(SB), SP
	ADDQ $const_bootStackSize, SP
	// Go code needs SSE before its first instruction (SDM Vol. 3A §13.1):
	// CR0.EM=0, CR0.MP=1, CR4.OSFXSR|OSXMMEXCPT. (apStart64 copies these.)
	MOVQ CR0, AX
	ANDQ $~4, AX
	ORQ $2, AX
	MOVQ AX, CR0
	MOVQ CR4, AX
	ORQ $0x600, AX
	MOVQ AX, CR4
	KERNEL_FS
	SUBQ $32, SP
	MOVQ BX, 0(SP)
	MOVQ SI, 8(SP)
	MOVQ DI, 16(SP)
	CALL ·kmain(SB)
	// kmain does not return.
	HLT

// apStart64 is where an application processor enters 64-bit mode from the
// trampoline (kernel/trampoline), on the kernel's page tables and the
// trampoline's GDT, with interrupts off. It takes the boot CPU's CR4 and
// CR0 (SSE and XSAVE on, caching on: INIT leaves CR0.CD and NW set) and
// the stack startAP mapped for it, and calls apMain, which does not
// return.
TEXT ·apStart64(SB), NOSPLIT|NOFRAME, $0
	MOVL $0x10, AX
	MOVW AX, DS
	MOVW AX, ES
	MOVW AX, SS
	MOVQ ·apCR4(SB), AX
	MOVQ AX, CR4
	MOVQ ·apCR0(SB), AX
	MOVQ AX, CR0
	MOVQ ·apStack(SB), SP
	KERNEL_FS
	CALL ·apMain(SB)
	HLT

// threadBegin, trap, kmain and apMain are Go functions called above; their
// addresses are kept by these references.
DATA ·kernelTLS+0(SB)/8, $·kernelG(SB)
GLOBL ·kernelTLS(SB), NOPTR, $16

// threadStartPC returns the address of threadStart for new threads' stacks.
TEXT ·threadStartPC(SB), NOSPLIT, $0-8
	MOVQ $·threadStart(SB), AX
	MOVQ AX, ret+0(FP)
	RET

TEXT ·trapBodyAddr(SB), NOSPLIT, $0-8
	MOVQ $·trapBody(SB), AX
	MOVQ AX, ret+0(FP)
	RET

TEXT ·trapExitAddr(SB), NOSPLIT, $0-8
	MOVQ $·trapExit(SB), AX
	MOVQ AX, ret+0(FP)
	RET

TEXT ·apStart64Addr(SB), NOSPLIT, $0-8
	MOVQ $·apStart64(SB), AX
	MOVQ AX, ret+0(FP)
	RET

TEXT ·rt0PC(SB), NOSPLIT, $0-8
	MOVQ $_rt0_amd64_linux(SB), AX
	MOVQ AX, ret+0(FP)
	RET
