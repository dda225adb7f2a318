package vm

// find returns the index of the first area ending above addr (as.n if
// none); that area contains addr iff its start is <= addr.
func (as *AddressSpace) find(addr uint64) int {
	lo, hi := 0, as.n
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if as.areas[m].end <= addr {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// edit is a planned change of the area table: areas[lo:hi] become rep[:k].
type edit struct {
	lo, hi  int
	rep     [3]area
	k       int
	covered uint64 // bytes of [s, e) that were mapped before
	added   uint64 // bytes of [s, e) mapped after
}

// plan works out how to make [s, e) one area with prot (mapped) or no area
// (!mapped), keeping the rest of any area it cuts and merging neighbours
// with equal protection. It fails if the table would overflow; nothing
// changes until apply.
func (as *AddressSpace) plan(s, e uint64, mapped bool, prot uint8) (edit, bool) {
	var ed edit
	i := as.find(s)
	j := i
	for j < as.n && as.areas[j].start < e {
		ed.covered += min(e, as.areas[j].end) - max(s, as.areas[j].start)
		j++
	}
	put := func(a area) { // append, merging with the previous piece
		if ed.k > 0 && ed.rep[ed.k-1].end == a.start && ed.rep[ed.k-1].prot == a.prot {
			ed.rep[ed.k-1].end = a.end
			return
		}
		ed.rep[ed.k] = a
		ed.k++
	}
	if i < j && as.areas[i].start < s {
		put(area{as.areas[i].start, s, as.areas[i].prot})
	}
	if mapped {
		put(area{s, e, prot})
		ed.added = e - s
	}
	if i < j && as.areas[j-1].end > e {
		put(area{e, as.areas[j-1].end, as.areas[j-1].prot})
	}
	ed.lo, ed.hi = i, j
	if ed.k > 0 {
		if l := as.areas[max(ed.lo-1, 0)]; ed.lo > 0 && l.end == ed.rep[0].start && l.prot == ed.rep[0].prot {
			ed.rep[0].start = l.start
			ed.lo--
		}
		if ed.hi < as.n {
			if r := as.areas[ed.hi]; r.start == ed.rep[ed.k-1].end && r.prot == ed.rep[ed.k-1].prot {
				ed.rep[ed.k-1].end = r.end
				ed.hi++
			}
		}
	}
	return ed, as.n-(ed.hi-ed.lo)+ed.k <= MaxAreas
}

// apply carries out a plan.
func (as *AddressSpace) apply(ed *edit) {
	newN := as.n - (ed.hi - ed.lo) + ed.k
	copy(as.areas[ed.lo+ed.k:newN], as.areas[ed.hi:as.n])
	copy(as.areas[ed.lo:], ed.rep[:ed.k])
	as.n = newN
	as.mapped = as.mapped - ed.covered + ed.added
}

// covered reports whether areas cover all of [s, e).
func (as *AddressSpace) covered(s, e uint64) bool {
	for i := as.find(s); s < e; i++ {
		if i >= as.n || as.areas[i].start > s {
			return false
		}
		s = as.areas[i].end
	}
	return true
}

// drop unmaps and frees the resident pages of [s, e), which may span
// several areas and gaps (gaps hold no user pages, and excluded kernel
// mappings sit only in gaps, so only area parts are walked). It returns
// the number of pages dropped.
func (as *AddressSpace) drop(s, e uint64) uint64 {
	var n uint64
	free := func(pa, size uint64) {
		for off := uint64(0); off < size; off += PageSize {
			as.frames.FreeFrame(pa + off)
		}
		n += size / PageSize
	}
	for i := as.find(s); i < as.n && as.areas[i].start < e; i++ {
		// User pages are all 4 KiB, so no split is needed and this cannot
		// fail.
		_ = as.pt.UnmapRange(max(s, as.areas[i].start), min(e, as.areas[i].end), free)
	}
	as.resident -= n
	if n > 0 {
		as.invalidate(s, e)
	}
	return n
}
