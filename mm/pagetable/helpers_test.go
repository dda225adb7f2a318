package pagetable

import (
	"testing"

	"warren.dev/mm/internal/fakemem"
)

const (
	ramBase = 0x100000
	lowVA   = 0x0000_0040_0000_0000
	highVA  = 0xffff_8000_0000_0000
	kernVA  = 0xffff_ffff_8000_0000
)

func newTables(t testing.TB, frames int) (*Tables, *fakemem.Mem) {
	t.Helper()
	m := fakemem.New(ramBase, frames)
	pt := new(Tables)
	if err := pt.Init(m, m); err != nil {
		t.Fatalf("Init: %v", err)
	}
	return pt, m
}

// checkTree verifies the structure: every table reachable once, no empty
// table below the root, no stray poison, and the table count matches.
func checkTree(t testing.TB, pt *Tables, m *fakemem.Mem) {
	t.Helper()
	seen := map[uint64]bool{}
	var visit func(pa uint64, level int) int
	visit = func(pa uint64, level int) int {
		if seen[pa] {
			t.Fatalf("table %#x reachable twice", pa)
		}
		seen[pa] = true
		if !m.Allocated(pa) {
			t.Fatalf("table %#x is not an allocated frame", pa)
		}
		tbl := m.Table(pa)
		n, present := 1, 0
		for i, e := range tbl {
			if e == fakemem.Poison {
				t.Fatalf("table %#x entry %d is unzeroed poison", pa, i)
			}
			if e&uint64(Present) == 0 {
				if e != 0 {
					t.Fatalf("table %#x entry %d: non-present but %#x", pa, i, e)
				}
				continue
			}
			present++
			if !isLeaf(e, level) {
				if e&^addrMask != tableFlags {
					t.Fatalf("table entry %#x at level %d lacks permissive flags", e, level)
				}
				n += visit(e&addrMask, level-1)
			}
		}
		if present == 0 && level < 3 {
			t.Fatalf("empty table %#x at level %d not freed", pa, level)
		}
		return n
	}
	if n := visit(pt.Root(), 3); n != pt.TableFrames() {
		t.Fatalf("reachable tables %d, TableFrames %d", n, pt.TableFrames())
	}
	if m.BadFrees != 0 {
		t.Fatalf("%d bad frees", m.BadFrees)
	}
}

func mustLookup(t testing.TB, pt *Tables, va, wantPA, wantSize uint64, wantFlags Flags) {
	t.Helper()
	pa, size, flags, ok := pt.Lookup(va)
	if !ok || pa != wantPA || size != wantSize || flags != wantFlags {
		t.Fatalf("Lookup(%#x) = %#x, %#x, %#x, %v; want %#x, %#x, %#x", va, pa, size, flags, ok, wantPA, wantSize, wantFlags)
	}
}

func mustNotMapped(t testing.TB, pt *Tables, va uint64) {
	t.Helper()
	if pa, _, _, ok := pt.Lookup(va); ok {
		t.Fatalf("Lookup(%#x) = %#x, want unmapped", va, pa)
	}
}
