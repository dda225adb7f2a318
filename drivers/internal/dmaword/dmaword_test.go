package dmaword

import (
	"encoding/binary"
	"testing"
)

func TestLoadStore16(t *testing.T) {
	b := make([]byte, 16)
	for i := range b {
		b[i] = byte(0xa0 + i)
	}
	Store16(b, 4, 0x1234)
	Store16(b, 6, 0xbeef)
	if got := binary.LittleEndian.Uint16(b[4:]); got != 0x1234 {
		t.Errorf("low half = %#x", got)
	}
	if got := binary.LittleEndian.Uint16(b[6:]); got != 0xbeef {
		t.Errorf("high half = %#x", got)
	}
	if Load16(b, 4) != 0x1234 || Load16(b, 6) != 0xbeef {
		t.Errorf("Load16 = %#x %#x", Load16(b, 4), Load16(b, 6))
	}
	if b[3] != 0xa3 || b[8] != 0xa8 {
		t.Errorf("neighbours changed: % x", b)
	}
}

func TestLoadStore32(t *testing.T) {
	b := make([]byte, 32)
	Store32(b, 12, 0x11223344)
	if got := binary.LittleEndian.Uint32(b[12:]); got != 0x11223344 {
		t.Errorf("stored %#x", got)
	}
	binary.LittleEndian.PutUint32(b[28:], 0xA0B0C0D0)
	if got := Load32(b, 28); got != 0xA0B0C0D0 {
		t.Errorf("loaded %#x", got)
	}
}

// A word past the end of b, or off its 4-byte alignment, panics rather
// than reading a neighbour.
func TestBadWords(t *testing.T) {
	b := make([]byte, 32)
	for _, f := range []func(){
		func() { Load32(b, 2) },
		func() { Load32(b, 30) },
		func() { Load16(b, 32) },
		func() { Store32(b, 29, 1) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			f()
		}()
	}
}
