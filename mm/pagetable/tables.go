package pagetable

// PhysMem gives access to a physical frame as 512 words. On the machine it
// is the kernel's direct map; the result must never be nil for a frame the
// FrameSource handed out.
type PhysMem interface {
	Table(pa uint64) *[512]uint64
}

// FrameSource supplies 4 KiB frames for tables. Frames need not be zeroed.
type FrameSource interface {
	AllocFrame() (uint64, bool)
	FreeFrame(pa uint64)
}

// Tables is one 4-level hierarchy. Its pointer fields are set by Init at boot
// only; everything that changes later is an integer.
type Tables struct {
	// Allow1G permits 1 GiB pages; set it only if CPUID reports Page1GB.
	Allow1G bool

	mem     PhysMem
	frames  FrameSource
	root    uint64
	ready   bool
	ntables int // table frames held, the root included
}

// Init allocates an empty root table. Called at boot: it stores mem and
// frames.
func (t *Tables) Init(mem PhysMem, frames FrameSource) error {
	if mem == nil || frames == nil {
		return ErrNotReady
	}
	t.mem, t.frames, t.ready, t.ntables = mem, frames, false, 0
	root, ok := t.newTable()
	if !ok {
		return ErrNoFrames
	}
	t.root, t.ready = root, true
	return nil
}

// Root is the physical address of the PML4, for CR3.
// Context: kernel (no allocation, no pointer stores).
func (t *Tables) Root() uint64 { return t.root }

// TableFrames is the number of frames the tables occupy, the root included.
// Context: kernel (no allocation, no pointer stores).
func (t *Tables) TableFrames() int { return t.ntables }

func (t *Tables) table(pa uint64) *[512]uint64 { return t.mem.Table(pa) }

// newTable returns a zeroed table frame.
func (t *Tables) newTable() (uint64, bool) {
	pa, ok := t.frames.AllocFrame()
	if !ok {
		return 0, false
	}
	*t.table(pa) = [512]uint64{}
	t.ntables++
	return pa, true
}

func (t *Tables) freeTable(pa uint64) {
	t.frames.FreeFrame(pa)
	t.ntables--
}

// reserve fills spare with new tables, or returns none of them.
func (t *Tables) reserve(spare []uint64) bool {
	for i := range spare {
		pa, ok := t.newTable()
		if !ok {
			for _, p := range spare[:i] {
				t.freeTable(p)
			}
			return false
		}
		spare[i] = pa
	}
	return true
}

func empty(tbl *[512]uint64) bool {
	for _, e := range tbl {
		if e&uint64(Present) != 0 {
			return false
		}
	}
	return true
}

// fillSplit makes child, a table one level below level, map exactly what
// the huge leaf e maps, with the same attributes.
func fillSplit(child *[512]uint64, e uint64, level int) {
	base := leafAddr(e, level)
	attrs := e &^ addrMask // bits 0-11 and 52-63
	if e&patHuge != 0 {
		attrs |= patHuge
	}
	if level == 1 { // children are 4 KiB: PS goes, PAT moves to bit 7
		attrs &^= uint64(Huge) | patHuge
		if e&patHuge != 0 {
			attrs |= patSmall
		}
	}
	size := leafSize(level - 1)
	for i := range child {
		child[i] = base + uint64(i)*size | attrs
	}
}

// tablesNeeded counts the tables a descent to va's level-level entry must
// create or split into. It fails with ErrExists if that entry points to a
// table, since a huge leaf would orphan its pages.
func (t *Tables) tablesNeeded(va uint64, level int) (int, error) {
	tbl := t.table(t.root)
	for l := 3; l > level; l-- {
		e := tbl[index(va, l)]
		if e&uint64(Present) == 0 || isLeaf(e, l) {
			return l - level, nil
		}
		tbl = t.table(e & addrMask)
	}
	if e := tbl[index(va, level)]; level > 0 && e&uint64(Present) != 0 && !isLeaf(e, level) {
		return 0, ErrExists
	}
	return 0, nil
}

// descend returns the level-level table covering va, creating missing
// tables and splitting huge leaves with the frames in spare, which must
// hold what tablesNeeded counted.
func (t *Tables) descend(va uint64, level int, spare []uint64) *[512]uint64 {
	tbl := t.table(t.root)
	for l := 3; l > level; l-- {
		i := index(va, l)
		if e := tbl[i]; e&uint64(Present) == 0 || isLeaf(e, l) {
			pa := spare[0]
			spare = spare[1:]
			if e&uint64(Present) != 0 {
				fillSplit(t.table(pa), e, l)
			}
			tbl[i] = pa | tableFlags
		}
		tbl = t.table(tbl[i] & addrMask)
	}
	return tbl
}

// ensure makes va's level-level entry reachable (see descend), getting the
// frames first so that running out changes nothing.
func (t *Tables) ensure(va uint64, level int) (*[512]uint64, error) {
	n, err := t.tablesNeeded(va, level)
	if err != nil {
		return nil, err
	}
	var spare [3]uint64
	if !t.reserve(spare[:n]) {
		return nil, ErrNoFrames
	}
	return t.descend(va, level, spare[:n]), nil
}

// findLeaf returns the table and level holding the leaf that maps va.
func (t *Tables) findLeaf(va uint64) (tbl *[512]uint64, level int, ok bool) {
	tbl = t.table(t.root)
	for l := 3; l >= 0; l-- {
		e := tbl[index(va, l)]
		if e&uint64(Present) == 0 {
			return nil, 0, false
		}
		if isLeaf(e, l) {
			return tbl, l, true
		}
		tbl = t.table(e & addrMask)
	}
	return nil, 0, false
}

// prune frees the tables on va's path, from level up, that have become
// empty. The root stays.
func (t *Tables) prune(va uint64, level int) {
	var path [4]*[512]uint64
	tbl := t.table(t.root)
	for l := 3; l >= level; l-- {
		path[l] = tbl
		e := tbl[index(va, l)]
		if l == level || e&uint64(Present) == 0 || isLeaf(e, l) {
			break
		}
		tbl = t.table(e & addrMask)
	}
	for l := level; l < 3 && path[l] != nil && empty(path[l]); l++ {
		parent := &path[l+1][index(va, l+1)]
		pa := *parent & addrMask
		*parent = 0
		t.freeTable(pa)
	}
}
