package initrd

import "golang.org/x/sys/unix"

// tree turns the records collected in e into the sorted index.
type tree struct {
	ar []byte
	e  []Entry
}

func (t *tree) name(i int) []byte {
	e := &t.e[i]
	return t.ar[e.nameOff : e.nameOff+uint32(e.nameLen)]
}

func (t *tree) comps(i int) comps {
	return comps{p: t.name(i), dotdot: t.e[i].flags&flagDotDot != 0}
}

func (t *tree) isDir(i int) bool { return t.e[i].mode&unix.S_IFMT == unix.S_IFDIR }

// compare orders entries by path, then by position in the archive.
func (t *tree) compare(i, j int) int {
	if c := comparePaths(t.comps(i), int(t.e[i].depth), t.comps(j), int(t.e[j].depth)); c != 0 {
		return c
	}
	switch {
	case t.e[i].nameOff < t.e[j].nameOff:
		return -1
	case t.e[i].nameOff > t.e[j].nameOff:
		return 1
	}
	return 0
}

// build indexes the n records in e[:n] and returns the number of entries.
func (t *tree) build(n int) (int, error) {
	heapSort(n, t.compare, t.swap)
	n = t.dedup(n)
	n, err := t.addImplied(n)
	if err != nil {
		return 0, err
	}
	heapSort(n, t.compare, t.swap)
	if !t.isDir(0) {
		return 0, ErrRootNotDir
	}
	t.linkHard(n)
	if err := t.linkParents(n); err != nil {
		return 0, err
	}
	t.countLinks(n)
	return n, nil
}

func (t *tree) swap(i, j int) { t.e[i], t.e[j] = t.e[j], t.e[i] }

// dedup keeps the last record of each path, as a later record in the
// archive replaces an earlier one.
func (t *tree) dedup(n int) int {
	w := 0
	for i := range n {
		if i+1 < n && comparePaths(t.comps(i), int(t.e[i].depth), t.comps(i+1), int(t.e[i+1].depth)) == 0 {
			continue
		}
		t.e[w] = t.e[i]
		w++
	}
	return w
}

// addImplied appends the directories (the root included) that the sorted,
// distinct entries e[:n] need but lack, and returns the new count. An
// ancestor of entry k that entry k-1 does not share cannot be in the
// archive: it would sort between the two.
func (t *tree) addImplied(n int) (int, error) {
	out := n
	add := func(e Entry) bool {
		if out == len(t.e) {
			return false
		}
		t.e[out] = e
		out++
		return true
	}
	if n == 0 && !add(impliedDir(Entry{}, 0)) {
		return 0, ErrNoSpace
	}
	for k := range n {
		from := 0 // depth of the first ancestor to add
		if k > 0 {
			from = 1 + commonDepth(t.comps(k-1), int(t.e[k-1].depth), t.comps(k), int(t.e[k].depth))
		}
		for d := from; d < int(t.e[k].depth); d++ {
			if !add(impliedDir(t.e[k], d)) {
				return 0, ErrNoSpace
			}
		}
	}
	return out, nil
}

// impliedDir is the directory named by the first depth components of e's
// name.
func impliedDir(e Entry, depth int) Entry {
	return Entry{
		nameOff: e.nameOff, nameLen: e.nameLen, depth: uint16(depth),
		mode:  unix.S_IFDIR | 0o755,
		flags: e.flags&flagDotDot | flagImplied,
	}
}

// linkHard points each empty hard link at the entry of its group that
// carries the data; other entries link to themselves. Hard-link candidates
// are sorted by inode through the parent fields, which are free until
// linkParents, to stay O(n log n).
func (t *tree) linkHard(n int) {
	h := 0
	for i := range n {
		t.e[i].link = int32(i)
		if e := &t.e[i]; e.mode&unix.S_IFMT == unix.S_IFREG && e.nlink > 1 && e.flags&flagImplied == 0 {
			t.e[h].parent = int32(i)
			h++
		}
	}
	if h < 2 {
		return
	}
	cand := func(k int) *Entry { return &t.e[t.e[k].parent] }
	heapSort(h, func(k, l int) int {
		a, b := cand(k), cand(l)
		switch {
		case a.ino != b.ino:
			return cmp32(a.ino, b.ino)
		case a.devMajor != b.devMajor:
			return cmp32(a.devMajor, b.devMajor)
		case a.devMinor != b.devMinor:
			return cmp32(a.devMinor, b.devMinor)
		case (a.size > 0) != (b.size > 0):
			if a.size == 0 {
				return -1 // empty links first, then the data
			}
			return 1
		}
		return cmp32(uint32(t.e[k].parent), uint32(t.e[l].parent))
	}, func(k, l int) { t.e[k].parent, t.e[l].parent = t.e[l].parent, t.e[k].parent })
	for end := h; end > 0; {
		// The group is the run ending at end; its last member holds the
		// data if any does.
		last := cand(end - 1)
		start := end - 1
		for start > 0 {
			p := cand(start - 1)
			if p.ino != last.ino || p.devMajor != last.devMajor || p.devMinor != last.devMinor {
				break
			}
			start--
		}
		if last.size > 0 {
			for k := start; k < end; k++ {
				if c := cand(k); c.size == 0 {
					c.link = t.e[end-1].parent
				}
			}
		}
		end = start
	}
}

func cmp32(a, b uint32) int {
	if a < b {
		return -1
	}
	if a > b {
		return 1
	}
	return 0
}

// linkParents sets each entry's parent and the end of its subtree. In the
// sorted order, with every ancestor present, an entry's parent is the
// nearest entry before it that is shallower, and its subtree ends at the
// first later entry that is not deeper.
func (t *tree) linkParents(n int) error {
	t.e[0].parent = -1
	for i := 1; i < n; i++ {
		j := i - 1
		for t.e[j].depth >= t.e[i].depth {
			j = int(t.e[j].parent)
		}
		if !t.isDir(j) {
			return ErrNotDir
		}
		t.e[i].parent = int32(j)
	}
	for i := n - 1; i >= 0; i-- {
		j := i + 1
		for j < n && t.e[j].depth > t.e[i].depth {
			j = int(t.e[j].next) // skip a child's subtree
		}
		t.e[i].next = int32(j)
	}
	return nil
}

// countLinks sets the link counts Linux reports: 2 plus the subdirectories
// for a directory, the number of names for anything else.
func (t *tree) countLinks(n int) {
	for i := range n {
		t.e[i].nlink = 1
		if t.isDir(i) {
			t.e[i].nlink = 2
		}
	}
	for i := 1; i < n; i++ {
		if t.isDir(i) {
			t.e[t.e[i].parent].nlink++
		}
		if l := t.e[i].link; l != int32(i) {
			t.e[l].nlink++
		}
	}
}
