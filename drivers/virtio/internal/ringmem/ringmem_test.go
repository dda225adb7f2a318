package ringmem

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
	Store32(b, 8, 0xcafef00d)
	if Load32(b, 8) != 0xcafef00d || binary.LittleEndian.Uint32(b[8:]) != 0xcafef00d {
		t.Errorf("Load32 = %#x", Load32(b, 8))
	}
}

func TestBounds(t *testing.T) {
	b := make([]byte, 8)
	defer func() {
		if recover() == nil {
			t.Error("no panic for a word past the end")
		}
	}()
	Load16(b, 8)
}
