package pagetable

// Unmap removes the page that starts at va, whatever its size. If va lies
// inside a huge page instead, that page is split and only the 4 KiB page at
// va removed. ok is false if va is invalid or unmapped, or a split found no
// frame (nothing changes then). Tables left empty are freed.
// Context: kernel (no allocation, no pointer stores).
func (t *Tables) Unmap(va uint64) (pa, size uint64, ok bool) {
	if !t.ready || !Canonical(va) || va%Size4K != 0 {
		return 0, 0, false
	}
	tbl, level, ok := t.findLeaf(va)
	if !ok {
		return 0, 0, false
	}
	if va&(leafSize(level)-1) != 0 {
		var err error
		if tbl, err = t.ensure(va, 0); err != nil {
			return 0, 0, false
		}
		level = 0
	}
	i := index(va, level)
	e := tbl[i]
	tbl[i] = 0
	t.prune(va, level)
	return leafAddr(e, level), leafSize(level), true
}

// UnmapRange removes every mapping in [va, end), splitting huge pages that
// straddle its ends, and calls fn (if not nil) with each removed page.
// Tables left empty are freed. ErrNoFrames means a split failed; pages
// before it are unmapped, the rest untouched.
// Context: kernel (no allocation, no pointer stores).
func (t *Tables) UnmapRange(va, end uint64, fn func(pa, size uint64)) error {
	op := rangeOp{kind: opUnmap, unmapped: fn}
	return t.doRange(va, end, &op)
}
