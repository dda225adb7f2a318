package sockabi

import (
	"testing"
	"unsafe"
)

func TestRequestSize(t *testing.T) {
	if s := unsafe.Sizeof(Request{}); s != RequestSize {
		t.Fatalf("Request is %d bytes, RequestSize says %d", s, RequestSize)
	}
}

func TestSockInfoSize(t *testing.T) {
	if s := unsafe.Sizeof(SockInfo{}); s != SockInfoSize {
		t.Fatalf("SockInfo is %d bytes, SockInfoSize says %d", s, SockInfoSize)
	}
}

// TestInlineLast: the kernel copies a request out without the unused
// tail of Inline, so Inline must be its last field.
func TestInlineLast(t *testing.T) {
	var r Request
	if off := unsafe.Offsetof(r.Inline); off != RequestSize-InlineSize {
		t.Fatalf("Inline at %d of %d bytes: not the last field", off, RequestSize)
	}
}
