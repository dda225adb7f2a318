// Package fakemem is host RAM for the mm tests: a slice of frames that
// serves as both pagetable.PhysMem and pagetable.FrameSource, counts what is
// outstanding, poisons frames it hands out (so callers must zero them), and
// can be told to run dry.
package fakemem

import "fmt"

// Poison fills every word of a frame handed out.
const Poison = 0xdeadbeefdeadbeef

// Mem holds frames at physical addresses Base, Base+4096, ...
type Mem struct {
	Base      uint64
	pages     [][512]uint64
	free      []uint64 // stack; lowest address on top
	allocated []bool
	budget    int // allocations left before failing; <0 means unlimited
	// BadFrees counts FreeFrame calls for frames not handed out.
	BadFrees int
}

// New returns n frames starting at base (4 KiB aligned).
func New(base uint64, n int) *Mem {
	m := &Mem{Base: base, pages: make([][512]uint64, n), allocated: make([]bool, n), budget: -1}
	m.free = make([]uint64, 0, n)
	for i := n - 1; i >= 0; i-- {
		m.free = append(m.free, base+uint64(i)*4096)
	}
	return m
}

func (m *Mem) frame(pa uint64) int {
	if pa%4096 != 0 || pa < m.Base || (pa-m.Base)/4096 >= uint64(len(m.pages)) {
		panic(fmt.Sprintf("fakemem: bad frame address %#x", pa))
	}
	return int((pa - m.Base) / 4096)
}

// Table returns the frame at pa; a bad address is a test bug and panics.
func (m *Mem) Table(pa uint64) *[512]uint64 { return &m.pages[m.frame(pa)] }

// AllocFrame hands out a poisoned frame.
func (m *Mem) AllocFrame() (uint64, bool) {
	if len(m.free) == 0 || m.budget == 0 {
		return 0, false
	}
	if m.budget > 0 {
		m.budget--
	}
	pa := m.free[len(m.free)-1]
	m.free = m.free[:len(m.free)-1]
	i := m.frame(pa)
	m.allocated[i] = true
	for j := range m.pages[i] {
		m.pages[i][j] = Poison
	}
	return pa, true
}

// FreeFrame takes a frame back; freeing one not handed out is counted.
func (m *Mem) FreeFrame(pa uint64) {
	i := m.frame(pa)
	if !m.allocated[i] {
		m.BadFrees++
		return
	}
	m.allocated[i] = false
	m.free = append(m.free, pa)
}

// InUse is the number of frames handed out and not freed.
func (m *Mem) InUse() int { return len(m.pages) - len(m.free) }

// Allocated reports whether pa is handed out.
func (m *Mem) Allocated(pa uint64) bool { return m.allocated[m.frame(pa)] }

// FailAfter lets n more allocations succeed, then fails them all; n < 0
// lifts the limit.
func (m *Mem) FailAfter(n int) { m.budget = n }
