package crash

import (
	"fmt"
	"runtime"
)

// Symbolizer names the function containing a code address.
type Symbolizer interface {
	Func(pc uint64) (name, file string, line int, ok bool)
}

// Entrier is optionally implemented by a Symbolizer that knows where the
// function containing pc starts; Write then prints name+offset and uses
// symbol names in the disassembly.
type Entrier interface {
	Entry(pc uint64) (entry uint64, ok bool)
}

// RuntimeSymbolizer looks addresses up in the running binary's own symbol
// table with runtime.FuncForPC. The kernel is part of that binary, so it
// names kernel and program code alike.
type RuntimeSymbolizer struct{}

// Func reports the function at pc; for inlined code, the innermost
// function and its source position (runtime.FuncForPC semantics).
func (RuntimeSymbolizer) Func(pc uint64) (name, file string, line int, ok bool) {
	f := runtime.FuncForPC(uintptr(pc))
	if f == nil {
		return "", "", 0, false
	}
	file, line = f.FileLine(uintptr(pc))
	return f.Name(), file, line, true
}

// Entry reports where the function at pc starts. Inside inlined code
// FuncForPC pairs the inner name with the outer function's entry, which
// would print a misleading offset, so Entry declines there.
func (RuntimeSymbolizer) Entry(pc uint64) (uint64, bool) {
	f := runtime.FuncForPC(uintptr(pc))
	if f == nil {
		return 0, false
	}
	outer := runtime.FuncForPC(f.Entry())
	if outer == nil || outer.Name() != f.Name() {
		return 0, false
	}
	return uint64(f.Entry()), true
}

// symbol returns the name and entry of the function at pc, if known.
func symbol(sym Symbolizer, pc uint64) (name string, entry uint64, hasEntry, ok bool) {
	if sym == nil {
		return "", 0, false, false
	}
	name, _, _, ok = sym.Func(pc)
	if !ok {
		return "", 0, false, false
	}
	if e, isE := sym.(Entrier); isE {
		entry, hasEntry = e.Entry(pc)
		hasEntry = hasEntry && entry <= pc
	}
	return name, entry, hasEntry, true
}

// location formats pc as "name+0xoff file:line" ("?" when unknown). For a
// return address (ret), the name and line are those of the call, pc-1, as
// in Go tracebacks, while the offset stays that of pc.
func location(sym Symbolizer, pc uint64, ret bool) string {
	look := pc
	if ret && pc > 0 {
		look = pc - 1
	}
	name, entry, hasEntry, ok := symbol(sym, look)
	if !ok {
		return "?"
	}
	s := name
	if hasEntry {
		s = fmt.Sprintf("%s+%#x", name, pc-entry)
	}
	if _, file, line, _ := sym.Func(look); file != "" {
		s += fmt.Sprintf(" %s:%d", file, line)
	}
	return s
}
