package pagetable

// The range operations share one recursive walk that skips absent subtrees,
// so unmapping a mostly empty gigabyte reservation costs little.

type opKind int

const (
	opWalk opKind = iota
	opUnmap
	opSetFlags
)

type rangeOp struct {
	kind     opKind
	flags    Flags
	unmapped func(pa, size uint64)
	visit    func(va, pa, size uint64, flags Flags)
}

func (t *Tables) doRange(va, end uint64, op *rangeOp) error {
	if !t.ready {
		return ErrNotReady
	}
	first, last, none, err := checkRange(va, end)
	if err != nil || none {
		return err
	}
	return t.rangeIn(t.table(t.root), 3, 0, first, last, op)
}

// rangeIn applies op to the entries of tbl (a level-level table whose
// coverage starts at base) that overlap [first, last].
func (t *Tables) rangeIn(tbl *[512]uint64, level int, base, first, last uint64, op *rangeOp) error {
	span := leafSize(level)
	from, to := first, last
	if level < 3 { // the root covers both halves; lower tables one span each
		from, to = max(first, base), min(last, base+512*span-1)
	}
	for i := index(from, level); i <= index(to, level); i++ {
		e := tbl[i]
		if e&uint64(Present) == 0 {
			continue
		}
		s := base + uint64(i)*span
		if level == 3 {
			s = signExtend(uint64(i) << 39)
		}
		if isLeaf(e, level) {
			whole := s >= first && s+span-1 <= last
			switch {
			case op.kind == opWalk:
				if op.visit != nil {
					op.visit(s, leafAddr(e, level), span, leafFlagsOf(e, level))
				}
				continue
			case whole && op.kind == opUnmap:
				tbl[i] = 0
				if op.unmapped != nil {
					op.unmapped(leafAddr(e, level), span)
				}
				continue
			case whole:
				tbl[i] = setLeafFlags(e, op.flags)
				continue
			}
			// A huge page sticks out of the range: split it.
			child, ok := t.newTable()
			if !ok {
				return ErrNoFrames
			}
			fillSplit(t.table(child), e, level)
			tbl[i] = child | tableFlags
		}
		child := tbl[i] & addrMask
		err := t.rangeIn(t.table(child), level-1, s, first, last, op)
		if op.kind == opUnmap && empty(t.table(child)) {
			tbl[i] = 0
			t.freeTable(child)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
