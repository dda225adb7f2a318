package sockets

import (
	"testing"
	"unsafe"
)

var sink *[64]byte

func TestOnStack(t *testing.T) {
	var local [64]byte
	heap := new([64]byte)
	sink = heap
	if !onStack(uintptr(unsafe.Pointer(&local[10]))) {
		t.Error("a local array is not on the stack")
	}
	if onStack(uintptr(unsafe.Pointer(&heap[10]))) {
		t.Error("a heap array is on the stack")
	}
	if onStack(0) {
		t.Error("address 0 is on the stack")
	}
	// Another goroutine's stack is not this one's.
	addr := make(chan uintptr)
	done := make(chan struct{})
	go func() {
		var theirs [64]byte
		addr <- uintptr(unsafe.Pointer(&theirs[0]))
		<-done
		_ = theirs
	}()
	if onStack(<-addr) {
		t.Error("another goroutine's local is on this stack")
	}
	close(done)
}
