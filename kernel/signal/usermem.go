package signal

import "warren.dev/mm/usercopy"

// The user's memory is a usercopy.Space: the package resolves views of it
// and copies itself, so that the frames it builds on the kernel stack are
// never handed to code it cannot see (they would escape to the heap).

// copyIn copies len(b) bytes at addr in mem into b, and reports whether
// all of them came.
//
// Context: kernel (no allocation, no pointer stores).
func copyIn[M usercopy.Space](mem M, b []byte, addr uint64) bool {
	_, e := usercopy.In(mem, b, addr)
	return e == 0
}

// copyOut copies b to addr in mem, and reports whether all of it went.
//
// Context: kernel (no allocation, no pointer stores).
func copyOut[M usercopy.Space](mem M, addr uint64, b []byte) bool {
	_, e := usercopy.Out(mem, addr, b)
	return e == 0
}
