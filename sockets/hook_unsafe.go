//go:build warren

package sockets

import (
	stdsyscall "syscall"
	"unsafe"
)

// stdSocketCall is the standard library's socket hook (the syscall
// overlay of tools/build adds it to package syscall).
//
//go:linkname stdSocketCall syscall.warrenSocketCall
var stdSocketCall func(trap uintptr, args [6]uintptr, mem [][]byte) (uintptr, stdsyscall.Errno, bool)

// serveDirect makes the program's socket calls on non-blocking sockets
// go to l on the calling goroutine instead of trapping (direct.go).
func serveDirect(l *Layer, look Looker) {
	stdSocketCall = func(trap uintptr, args [6]uintptr, mem [][]byte) (uintptr, stdsyscall.Errno, bool) {
		var a [6]uint64
		for i, v := range args {
			a[i] = uint64(v)
		}
		spans := make([]Span, 0, len(mem))
		for _, m := range mem {
			if len(m) > 0 {
				spans = append(spans, Span{Addr: uint64(uintptr(unsafe.Pointer(unsafe.SliceData(m)))), B: m})
			}
		}
		r, e, ok := l.Direct(look, uint64(trap), a, spans)
		return uintptr(r), stdsyscall.Errno(e), ok
	}
}
