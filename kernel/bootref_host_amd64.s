//go:build !warren

#include "textflag.h"

// bootSymbols references nothing in host builds, which have no boot
// header (see bootref_warren_amd64.s).
TEXT ·bootSymbols(SB), NOSPLIT, $0-0
	RET
