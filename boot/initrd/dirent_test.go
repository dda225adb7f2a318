package initrd

import (
	"encoding/binary"
	"slices"
	"testing"

	"golang.org/x/sys/unix"
)

func TestEncodeDirent64(t *testing.T) {
	buf := make([]byte, 64)
	for i := range buf {
		buf[i] = 0xee
	}
	n := EncodeDirent64(buf, 0x0102030405060708, -2, unix.DT_REG, []byte("hello"))
	if n != 32 { // 19 + 5 + 1 = 25, rounded to 32
		t.Fatalf("reclen %d", n)
	}
	want := []byte{
		8, 7, 6, 5, 4, 3, 2, 1, // d_ino
		0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, // d_off = -2
		32, 0, // d_reclen
		unix.DT_REG,
		'h', 'e', 'l', 'l', 'o', 0, 0, 0, 0, 0, 0, 0, 0,
	}
	if !slices.Equal(buf[:n], want) || buf[n] != 0xee {
		t.Errorf("got % x", buf[:n+1])
	}
	for _, tt := range []struct {
		name    string
		buf     int
		wantLen int
	}{
		{"", 24, 24},     // 19 + 1 = 20 -> 24
		{"abcd", 24, 24}, // 19 + 4 + 1 = 24 exactly
		{"abcde", 24, 0}, // 32 does not fit
		{"abcde", 31, 0}, //
		{"abcdefghijklm", 40, 40},
		{"x", 0, 0},
	} {
		if n := EncodeDirent64(make([]byte, tt.buf), 1, 1, 0, []byte(tt.name)); n != tt.wantLen {
			t.Errorf("%q in %d bytes: %d, want %d", tt.name, tt.buf, n, tt.wantLen)
		}
	}
	if n := EncodeDirent64(make([]byte, 1<<17), 1, 1, 0, make([]byte, 1<<16)); n != 0 {
		t.Errorf("reclen over 65535 encoded: %d", n)
	}
}

// TestGetdents fills small buffers the way getdents64 would and decodes
// them, resuming from the cookie of the first record that did not fit.
func TestGetdents(t *testing.T) {
	a := index(t, sample(t))
	var names []string
	buf := make([]byte, 48) // room for one or two records
	for cookie := int64(0); ; {
		off := 0
		next := a.ReadDir(Root, cookie, func(d DirEntry) bool {
			n := EncodeDirent64(buf[off:], d.Ino, d.Next, d.Type, d.Name)
			off += n
			return n > 0
		})
		if off == 0 {
			break
		}
		for p := 0; p < off; {
			reclen := int(binary.LittleEndian.Uint16(buf[p+16:]))
			name := buf[p+19 : p+reclen]
			names = append(names, string(name[:slices.Index(name, 0)]))
			if d := int64(binary.LittleEndian.Uint64(buf[p+8:])); p+reclen == off && d != next {
				t.Errorf("last d_off %d, resume cookie %d", d, next)
			}
			p += reclen
		}
		cookie = next
	}
	want := []string{".", "..", "bin", "dev", "etc", "init", "lib", "tmp", "usr"}
	if !slices.Equal(names, want) {
		t.Errorf("got %q", names)
	}
}
