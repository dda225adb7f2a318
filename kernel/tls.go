package kernel

// stubG mirrors the head of the runtime's g: the stack bounds and the two
// stack guards, which are all a Go function prologue reads.
type stubG struct {
	stackLo, stackHi uintptr
	stackGuard0      uintptr
	stackGuard1      uintptr
	// rest is never read: kernel context does not call into the runtime.
	rest [16]uintptr
}

// kernelG is the g of kernel context. Its guards are 0, so no prologue
// ever asks to grow the stack: kernel stacks are fixed and guarded by
// unmapped pages instead. kernelTLS (tls_amd64.s) holds its address in
// the slot that FS-8 reaches.
var kernelG = stubG{stackHi: ^uintptr(0)}
