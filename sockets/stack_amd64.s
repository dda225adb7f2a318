#include "textflag.h"

// func onStack(p uintptr) bool
//
// Reports whether p lies in the calling goroutine's stack, [g.stack.lo,
// g.stack.hi): the first two words of the runtime's g, whose offsets the
// runtime keeps fixed for runtime/cgo. NOSPLIT with no frame, so the
// stack cannot move between the read of its bounds and the comparison.
TEXT ·onStack(SB), NOSPLIT, $0-9
	MOVQ	TLS, CX
	MOVQ	0(CX)(TLS*1), AX	// g
	MOVQ	p+0(FP), BX
	CMPQ	BX, 0(AX)	// g.stack.lo
	JB	no
	CMPQ	BX, 8(AX)	// g.stack.hi
	JAE	no
	MOVB	$1, ret+8(FP)
	RET
no:
	MOVB	$0, ret+8(FP)
	RET

// func hidePtr(p *byte) *byte
//
// Returns p. Declared //go:noescape, it is where escape analysis loses
// sight of a pointer (hideBytes).
TEXT ·hidePtr(SB), NOSPLIT, $0-16
	MOVQ	p+0(FP), AX
	MOVQ	AX, ret+8(FP)
	RET
