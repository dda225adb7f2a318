package signal

import "golang.org/x/sys/unix"

// fakeMem is user memory: a byte slice mapped at base. Writes to
// [roLo, roHi) fail, as on a read-only or unmapped page.
type fakeMem struct {
	base       uint64
	b          []byte
	roLo, roHi uint64
}

func newMem(base uint64, size int) *fakeMem { return &fakeMem{base: base, b: make([]byte, size)} }

func (m *fakeMem) span(addr uint64, n int) ([]byte, bool) {
	if addr < m.base || addr-m.base > uint64(len(m.b)) || uint64(len(m.b))-(addr-m.base) < uint64(n) {
		return nil, false
	}
	o := addr - m.base
	return m.b[o : o+uint64(n)], true
}

// Resolve implements usercopy.Space.
func (m *fakeMem) Resolve(addr, n uint64, write bool) ([]byte, unix.Errno) {
	s, ok := m.span(addr, int(n))
	if !ok || (write && n > 0 && addr < m.roHi && addr+n > m.roLo) {
		return nil, unix.EFAULT
	}
	return s, 0
}

func (m *fakeMem) u64(addr uint64) uint64 {
	s, ok := m.span(addr, 8)
	if !ok {
		panic("fakeMem: u64 out of range")
	}
	return le.Uint64(s)
}

func (m *fakeMem) put64(addr, v uint64) {
	s, ok := m.span(addr, 8)
	if !ok {
		panic("fakeMem: put64 out of range")
	}
	le.PutUint64(s, v)
}
