#include "textflag.h"

// kernelTLS is the kernel's TLS block. KERNEL_FS (entry_amd64.h) points
// FS at its second word, so the g slot at FS-8 holds kernelG's address.
DATA ·kernelTLS+0(SB)/8, $·kernelG(SB)
GLOBL ·kernelTLS(SB), NOPTR, $16
