package multiboot

import (
	"encoding/binary"
	"testing"
)

// fakeMem is sparse physical memory: segments of bytes at base addresses.
type fakeMem struct {
	segs []segment
}

type segment struct {
	base uint64
	b    []byte
}

func (m *fakeMem) Bytes(addr, n uint64) ([]byte, bool) {
	for _, s := range m.segs {
		if addr < s.base {
			continue
		}
		off := addr - s.base
		if off <= uint64(len(s.b)) && n <= uint64(len(s.b))-off {
			return s.b[off : off+n], true
		}
	}
	return nil, false
}

func (m *fakeMem) add(base, size uint64) {
	m.segs = append(m.segs, segment{base, make([]byte, size)})
}

// at returns the bytes from addr to the end of its segment.
func (m *fakeMem) at(t testing.TB, addr uint64) []byte {
	t.Helper()
	for _, s := range m.segs {
		if addr >= s.base && addr-s.base < uint64(len(s.b)) {
			return s.b[addr-s.base:]
		}
	}
	t.Fatalf("address %#x not in fake memory", addr)
	return nil
}

func (m *fakeMem) put32(t testing.TB, addr uint64, v uint32) {
	binary.LittleEndian.PutUint32(m.at(t, addr), v)
}

func (m *fakeMem) put64(t testing.TB, addr uint64, v uint64) {
	binary.LittleEndian.PutUint64(m.at(t, addr), v)
}

func (m *fakeMem) putString(t testing.TB, addr uint64, s string) {
	b := m.at(t, addr)
	copy(b, s)
	b[len(s)] = 0
}

// putMmap writes E820-style entries of the given size field at addr and
// returns mmap_length.
func (m *fakeMem) putMmap(t testing.TB, addr uint64, size uint32, rs ...Region) uint32 {
	off := uint64(0)
	for _, r := range rs {
		m.put32(t, addr+off, size)
		m.put64(t, addr+off+4, r.Base)
		m.put64(t, addr+off+12, r.Length)
		m.put32(t, addr+off+20, uint32(r.Type))
		off += 4 + uint64(size)
	}
	return uint32(off)
}

// putModule writes module list entry i of the list at list.
func (m *fakeMem) putModule(t testing.TB, list uint64, i int, start, end, str uint32) {
	e := list + uint64(i)*16
	m.put32(t, e, start)
	m.put32(t, e+4, end)
	m.put32(t, e+8, str)
	m.put32(t, e+12, 0)
}
