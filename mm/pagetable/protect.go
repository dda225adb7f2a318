package pagetable

// SetFlags replaces the flags of the page that starts at va, whatever its
// size; if va lies inside a huge page instead, that page is split and only
// the 4 KiB page at va changes. Present is implied, Huge ignored, the
// physical address and PAT bits kept. On error nothing changes.
// Context: kernel (no allocation, no pointer stores).
func (t *Tables) SetFlags(va uint64, flags Flags) error {
	if !t.ready {
		return ErrNotReady
	}
	if flags&^(leafFlags|Huge) != 0 {
		return ErrFlags
	}
	if !Canonical(va) {
		return ErrNonCanonical
	}
	if va%Size4K != 0 {
		return ErrMisaligned
	}
	tbl, level, ok := t.findLeaf(va)
	if !ok {
		return ErrNotMapped
	}
	if va&(leafSize(level)-1) != 0 {
		var err error
		if tbl, err = t.ensure(va, 0); err != nil {
			return err
		}
		level = 0
	}
	i := index(va, level)
	tbl[i] = setLeafFlags(tbl[i], flags)
	return nil
}

// SetFlagsRange gives every mapped page in [va, end) the flags, splitting
// huge pages that straddle its ends; unmapped parts are skipped.
// ErrNoFrames means a split failed; pages before it are changed, the rest
// untouched.
// Context: kernel (no allocation, no pointer stores).
func (t *Tables) SetFlagsRange(va, end uint64, flags Flags) error {
	if flags&^(leafFlags|Huge) != 0 {
		return ErrFlags
	}
	op := rangeOp{kind: opSetFlags, flags: flags}
	return t.doRange(va, end, &op)
}
