package signal

import "unsafe"

// noescape hides b from escape analysis so that frame buffers on the
// kernel stack can be passed to a usercopy.Copier, an interface, without
// being moved to the heap. Sound because Copier implementations only copy
// to or from b during the call and never keep it (the runtime's noescape
// rests on the same promise). The pointer round-trips through a uintptr
// by reinterpretation, with no safe point in between.
func noescape(b []byte) []byte {
	p := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	return unsafe.Slice(*(**byte)(unsafe.Pointer(&p)), len(b))
}
