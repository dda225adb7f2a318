package pagetable

// Lookup translates va: the physical address of that very byte, and the
// size and flags of the page holding it (Huge set for 2 MiB and 1 GiB).
// Context: kernel (no allocation, no pointer stores).
func (t *Tables) Lookup(va uint64) (pa uint64, size uint64, flags Flags, ok bool) {
	if !t.ready || !Canonical(va) {
		return 0, 0, 0, false
	}
	tbl, level, ok := t.findLeaf(va)
	if !ok {
		return 0, 0, 0, false
	}
	e := tbl[index(va, level)]
	size = leafSize(level)
	return leafAddr(e, level) | va&(size-1), size, leafFlagsOf(e, level), true
}

// Walk calls fn for every page overlapping [va, end), in address order,
// with the page's own start, physical address, size and flags. fn must not
// change the tables.
// Context: kernel (no allocation, no pointer stores).
func (t *Tables) Walk(va, end uint64, fn func(va, pa, size uint64, flags Flags)) error {
	op := rangeOp{kind: opWalk, visit: fn}
	return t.doRange(va, end, &op)
}
