package sockets

import (
	"sync"
	"sync/atomic"
	stdsyscall "syscall"
	"unsafe"
)

// hook is what the standard library's socket hook serves calls with.
type hook struct {
	l *Layer
	p Program
}

var hooked atomic.Pointer[hook]

// serveDirect makes the program's socket calls on non-blocking sockets
// go to l on the calling goroutine instead of trapping (direct.go).
func serveDirect(l *Layer, p Program) {
	hooked.Store(&hook{l, p})
}

// stdSocketCall is the standard library's socket hook: the syscall
// overlay of tools/build declares it //go:noescape and calls it before
// each socket call's trap, with the buffers the call may reach in mem.
// ptrs names, a nibble per argument, the arguments that point at the
// first byte of mem[k] (nibble k+1).
//
// Those buffers may be on the caller's stack, which moves if it grows
// while the call runs; only pointers held in stack frames are moved with
// it. So a buffer on the stack is served from a copy in heap memory and
// copied back after the call, and the arguments that point at buffers
// are set from the buffers' addresses at the moment the copies are made.
//
//go:linkname stdSocketCall
func stdSocketCall(trap uintptr, args [6]uintptr, ptrs uint32, mem [][]byte) (uintptr, stdsyscall.Errno, bool) {
	h := hooked.Load()
	if h == nil || !directCall(uint64(trap)) {
		return 0, 0, false
	}
	c := hookCalls.Get().(*hookCall)
	c.reserve(mem)
	a := c.take(args, ptrs, mem)
	r, e, ok := h.l.Direct(h.p, uint64(trap), a, c.spans)
	c.giveBack(mem)
	hookCalls.Put(c)
	return uintptr(r), stdsyscall.Errno(e), ok
}

// hookCall is the heap memory of one hooked call, pooled so that a call
// allocates nothing.
type hookCall struct {
	spans  []Span
	copied []copied
	buf    []byte
}

// copied is a span that is a copy of the stack buffer mem[mem].
type copied struct{ mem, span int }

var hookCalls = sync.Pool{New: func() any { return new(hookCall) }}

// reserve makes room for mem's spans and for copies of its buffers on the
// stack. It may grow the stack, which moves those buffers, but not off it.
func (c *hookCall) reserve(mem [][]byte) {
	if cap(c.spans) < len(mem) {
		c.spans = make([]Span, 0, len(mem))
		c.copied = make([]copied, 0, len(mem))
	}
	n := 0
	for _, m := range mem {
		if onStack(uintptr(unsafe.Pointer(unsafe.SliceData(m)))) {
			n += len(m)
		}
	}
	if cap(c.buf) < n {
		c.buf = make([]byte, n)
	}
}

// take makes the call's spans, copying the buffers on the stack, and
// returns args with its pointers set from mem. It calls nothing that can
// grow the stack (reserve made the room), so every address it reads is
// from one moment.
//
//go:nosplit
func (c *hookCall) take(args [6]uintptr, ptrs uint32, mem [][]byte) [6]uint64 {
	free := c.buf[:cap(c.buf)]
	for k, m := range mem {
		if len(m) == 0 {
			continue
		}
		addr := uintptr(unsafe.Pointer(unsafe.SliceData(m)))
		b := m
		if onStack(addr) {
			b = free[:len(m):len(m)]
			free = free[len(m):]
			copy(b, m)
			c.copied = append(c.copied, copied{k, len(c.spans)})
		}
		c.spans = append(c.spans, Span{Addr: uint64(addr), B: b})
	}
	var a [6]uint64
	for i, v := range args {
		a[i] = uint64(v)
		if k := int(ptrs>>(4*i)&15) - 1; k >= 0 && k < len(mem) && len(mem[k]) > 0 {
			a[i] = uint64(uintptr(unsafe.Pointer(unsafe.SliceData(mem[k]))))
		}
	}
	return a
}

// giveBack copies the copies of stack buffers back, wherever the stack
// now is, and empties c for the next call.
func (c *hookCall) giveBack(mem [][]byte) {
	for _, cp := range c.copied {
		copy(mem[cp.mem], c.spans[cp.span].B)
	}
	clear(c.spans)
	c.spans, c.copied = c.spans[:0], c.copied[:0]
}
