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
