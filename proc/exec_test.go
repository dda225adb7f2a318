package proc

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// pages is a caller's memory for readStrings: whole pages, EFAULT
// elsewhere.
type pages map[uint64][]byte

func (m pages) read(addr uint64, b []byte) error {
	for len(b) > 0 {
		p, ok := m[addr&^(PageSize-1)]
		if !ok {
			return unix.EFAULT
		}
		n := copy(b, p[addr%PageSize:])
		b, addr = b[n:], addr+uint64(n)
	}
	return nil
}

func (m pages) write(addr uint64, b []byte) {
	for a := addr &^ (PageSize - 1); a < addr+uint64(len(b)); a += PageSize {
		if m[a] == nil {
			m[a] = make([]byte, PageSize)
		}
	}
	for i, c := range b {
		a := addr + uint64(i)
		m[a&^(PageSize-1)][a%PageSize] = c
	}
}

// vector writes strs as a NULL-terminated pointer array at addr, the
// strings at the addresses in at.
func (m pages) vector(addr uint64, strs []string, at []uint64) {
	for i, s := range strs {
		m.write(at[i], append([]byte(s), 0))
		m.write(addr+8*uint64(i), binary.LittleEndian.AppendUint64(nil, at[i]))
	}
	m.write(addr+8*uint64(len(strs)), make([]byte, 8))
}

func TestReadStrings(t *testing.T) {
	m := pages{}
	// The last string ends right before an unmapped page: reads must
	// stop at page ends.
	argv := []string{"/bin/x", "a string across a page end", "end"}
	m.vector(0x10000, argv, []uint64{0x20000, 0x21000 - 10, 0x30000 - 4})
	got, err := readStrings(m.read, 0x10000)
	if err != nil || !slices.Equal(got, argv) {
		t.Errorf("readStrings = %q, %v; want %q", got, err, argv)
	}
	if got, err := readStrings(m.read, 0); err != nil || len(got) != 0 {
		t.Errorf("NULL array: %q, %v", got, err)
	}
	m.vector(0x40000, []string{"x"}, []uint64{0x50000})
	m.write(0x40008, binary.LittleEndian.AppendUint64(nil, 0x90000)) // unmapped string
	if _, err := readStrings(m.read, 0x40000); !errors.Is(err, unix.EFAULT) {
		t.Errorf("string in unmapped memory: %v, want EFAULT", err)
	}
	if _, err := readStrings(m.read, 0x99000); !errors.Is(err, unix.EFAULT) {
		t.Errorf("array in unmapped memory: %v, want EFAULT", err)
	}
	big := strings.Repeat("x", maxArgSpace)
	m.vector(0x60000, []string{big}, []uint64{0x100000})
	if _, err := readStrings(m.read, 0x60000); !errors.Is(err, unix.E2BIG) {
		t.Errorf("a string of %d bytes: %v, want E2BIG", len(big), err)
	}
}

func TestExecErrno(t *testing.T) {
	for _, c := range []struct {
		err  error
		want unix.Errno
	}{
		{fmt.Errorf("open: %w", unix.ENOENT), unix.ENOENT},
		{unix.EFAULT, unix.EFAULT},
		{fmt.Errorf("%w: 3000000 bytes", errArgsTooLong), unix.E2BIG},
		{errors.New("not an ELF file"), unix.ENOEXEC},
	} {
		if got := execErrno(c.err); got != c.want {
			t.Errorf("execErrno(%v) = %v, want %v", c.err, got, c.want)
		}
	}
}

func TestDecodeExecRequest(t *testing.T) {
	b := make([]byte, 4096+32)
	le := binary.LittleEndian
	le.PutUint64(b[0:], 12)
	le.PutUint64(b[8:], 0x1000)
	le.PutUint64(b[16:], 0x2000)
	le.PutUint64(b[24:], 9)
	copy(b[32:], "/bin/prog")
	want := execRequest{pid: 12, argv: 0x1000, envp: 0x2000, path: "/bin/prog"}
	if got := decodeExecRequest(b); got != want {
		t.Errorf("decodeExecRequest = %+v, want %+v", got, want)
	}
}
