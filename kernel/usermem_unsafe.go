package kernel

import "unsafe"

// userBytesIn views n bytes of process p's memory that checkUserIn has
// just accepted: the program's directly, another process's through the
// window. Only userSpace.Resolve calls it.
func userBytesIn(p int32, addr uint64, n int) []byte {
	if !inProgramMemory(p) {
		addr += windowBase
	}
	return unsafe.Slice((*byte)(pointerAt(addr)), n)
}
