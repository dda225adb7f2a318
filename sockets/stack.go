package sockets

// onStack reports whether address p lies in the calling goroutine's
// stack (stack_amd64.s). A buffer there moves when the stack grows, and
// no heap object may keep its address.
//
//go:noescape
func onStack(p uintptr) bool

// hidePtr returns p (stack_amd64.s); escape analysis cannot follow it.
//
//go:noescape
func hidePtr(p *byte) *byte
