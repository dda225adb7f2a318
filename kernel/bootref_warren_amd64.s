//go:build warren

#include "textflag.h"

// bootSymbols keeps the boot path in the image: nothing in Go calls it; the
// boot loader enters through the Multiboot header, whose fields point at
// start64. Images are built with -tags warren and the header overlay
// (tools/build); host builds link bootref_host_amd64.s instead.
TEXT ·bootSymbols(SB), NOSPLIT, $0-0
	MOVQ $·start64(SB), AX
	MOVQ $internal∕goarch·warrenMultiboot(SB), AX
	RET
