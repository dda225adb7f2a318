package dmamem

import (
	"encoding/binary"
	"testing"
)

func TestWords(t *testing.T) {
	b := make([]byte, 32)
	Store32(b, 12, 0x11223344)
	if got := binary.LittleEndian.Uint32(b[12:]); got != 0x11223344 {
		t.Errorf("stored %#x", got)
	}
	binary.LittleEndian.PutUint32(b[28:], 0xA0B0C0D0)
	if got := Load32(b, 28); got != 0xA0B0C0D0 {
		t.Errorf("loaded %#x", got)
	}
	for _, off := range []int{2, 30} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("offset %d: no panic", off)
				}
			}()
			Load32(b, off)
		}()
	}
}
