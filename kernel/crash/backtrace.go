package crash

import (
	"bytes"
	"fmt"
)

// writeBacktrace prints rip's location, then each return address.
func writeBacktrace(b *bytes.Buffer, rip uint64, stack []uint64, sym Symbolizer) {
	b.WriteString("backtrace:\n")
	frame(b, sym, rip, false)
	for _, pc := range stack {
		frame(b, sym, pc, true)
	}
}

// frame prints one backtrace line; unknown code shows its raw address.
func frame(b *bytes.Buffer, sym Symbolizer, pc uint64, ret bool) {
	if loc := location(sym, pc, ret); loc != "?" {
		fmt.Fprintf(b, "    at %s\n", loc)
		return
	}
	fmt.Fprintf(b, "    at %#x ?\n", pc)
}
