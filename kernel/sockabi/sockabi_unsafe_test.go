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
