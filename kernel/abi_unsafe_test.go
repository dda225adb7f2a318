package kernel

import (
	"testing"

	"warren.dev/kernel/sockabi"
)

func TestRequestBytesCopyInlineInUse(t *testing.T) {
	var r sockabi.Request
	if n := len(requestBytes(&r)); n != sockabi.RequestSize-sockabi.InlineSize {
		t.Fatalf("%d bytes for a request with nothing inline, want %d", n, sockabi.RequestSize-sockabi.InlineSize)
	}
	r.InlineLen = 6
	copy(r.Inline[:], "inline")
	b := requestBytes(&r)
	if n := len(b); n != sockabi.RequestSize-sockabi.InlineSize+6 || string(b[n-6:]) != "inline" {
		t.Fatalf("%d bytes ending %q for 6 bytes inline", n, b[len(b)-6:])
	}
}
