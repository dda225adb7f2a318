package crash

import (
	"bytes"
	"fmt"

	"golang.org/x/arch/x86/x86asm"
)

// maxInsn is the architectural limit on an x86 instruction's length.
const maxInsn = 15

// writeInstruction prints the code bytes at rip and the instruction they
// start with, in GNU syntax with symbol names where known.
func writeInstruction(b *bytes.Buffer, code []byte, rip uint64, sym Symbolizer) {
	if len(code) == 0 {
		b.WriteString("code: (unavailable)\n")
		return
	}
	fmt.Fprintf(b, "code: % x\n", code)
	inst, err := x86asm.Decode(code, 64)
	// A truncated instruction decodes as Op 0 without an error.
	if err != nil || inst.Op == 0 {
		fmt.Fprintf(b, "insn: (could not decode) % x\n", code[:min(len(code), maxInsn)])
		return
	}
	lookup := func(addr uint64) (string, uint64) {
		name, entry, hasEntry, ok := symbol(sym, addr)
		if !ok || !hasEntry {
			return "", 0
		}
		return name, entry
	}
	fmt.Fprintf(b, "insn: %s\n", x86asm.GNUSyntax(inst, rip, lookup))
}
