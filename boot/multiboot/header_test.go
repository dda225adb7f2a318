package multiboot

import (
	"encoding/binary"
	"testing"
)

func putHeader(image []byte, off int, magic, flags uint32) {
	binary.LittleEndian.PutUint32(image[off:], magic)
	binary.LittleEndian.PutUint32(image[off+4:], flags)
	binary.LittleEndian.PutUint32(image[off+8:], -(magic + flags))
}

func TestFindHeader(t *testing.T) {
	data := make([]byte, 16384)
	putHeader(data, 0x1002, HeaderMagic, 0x10003) // unaligned: ignored
	putHeader(data, 0x1800, HeaderMagic, 0x10003)
	binary.LittleEndian.PutUint32(data[0x800:], HeaderMagic) // bad checksum
	if off, ok := FindHeader(data); !ok || off != 0x1800 {
		t.Errorf("got %#x, %v; want 0x1800", off, ok)
	}
	putHeader(data, 0x1000, HeaderMagic, 0x10003) // the first one wins
	if off, ok := FindHeader(data); !ok || off != 0x1000 {
		t.Errorf("got %#x, %v; want 0x1000", off, ok)
	}
	putHeader(data, 0x1000, 0, 0)
	putHeader(data, 0x1800, 0, 0)
	putHeader(data, HeaderSearch-16, HeaderMagic, 0x10003) // fields end past 8 KiB
	putHeader(data, HeaderSearch, HeaderMagic, 0x10003)
	if off, ok := FindHeader(data); ok {
		t.Errorf("found a header at %#x", off)
	}
	if _, ok := FindHeader(data[:HeaderFieldsEnd-1]); ok {
		t.Error("found a header in a short image")
	}
}

func TestHideHeaders(t *testing.T) {
	data := make([]byte, 16384)
	putHeader(data, 0x400, HeaderMagic, 0x10003)
	putHeader(data, 0x1000, HeaderMagic, 0x10003)
	putHeader(data, HeaderSearch, HeaderMagic, 0x10003) // beyond the search: left alone
	if n := HideHeaders(data); n != 2 {
		t.Errorf("hid %d headers, want 2", n)
	}
	if off, ok := FindHeader(data); ok {
		t.Errorf("header still found at %#x", off)
	}
	le := binary.LittleEndian
	if le.Uint32(data[0x400:]) != HeaderMagic || le.Uint32(data[0x404:]) != 0x10003 || le.Uint32(data[HeaderSearch+8:]) == 0 {
		t.Error("HideHeaders changed more than the checksums")
	}
	if n := HideHeaders(data); n != 0 {
		t.Errorf("hid %d headers again", n)
	}
}
