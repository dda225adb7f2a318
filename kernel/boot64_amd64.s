#include "go_asm.h"
#include "textflag.h"
#include "entry_amd64.h"

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

TEXT ·apStart64Addr(SB), NOSPLIT, $0-8
	MOVQ $·apStart64(SB), AX
	MOVQ AX, ret+0(FP)
	RET
