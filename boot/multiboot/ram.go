package multiboot

// PageSize is the granularity AvailableRAM aligns to.
const PageSize = 4096

// Range is the physical address range [Start, End).
type Range struct {
	Start, End uint64
}

// AvailableRAM writes the usable RAM into out as sorted, disjoint ranges
// whose ends are page aligned (inward, so no partial page is offered) and
// returns how many it wrote. Usable means inside an Available memory map
// entry and outside every other entry, whatever its type: overlapping
// entries are resolved in favour of the reservation. ACPI-reclaimable RAM
// is not included. Without a memory map (or with an empty one) it falls
// back to mem_lower and mem_upper; with neither it returns 0.
//
// The result never has more ranges than the map has entries, so an out of
// MaxRegions ranges always suffices; with a smaller out the highest ranges
// are dropped. Memory the kernel, the modules and this structure occupy is
// still included: remove it with RemoveRange.
//
// Context: kernel (no allocation, no pointer stores).
func (i *Info) AvailableRAM(out []Range) int {
	n := 0
	if i.Flags&FlagMmap != 0 && i.NumRegions > 0 {
		for _, r := range i.MemoryMap() {
			if r.Type == Available && r.Length > 0 {
				n = insertRange(out, n, Range{r.Base, r.End()})
			}
		}
		n = mergeRanges(out, n)
		for _, r := range i.MemoryMap() {
			if r.Type != Available && r.Length > 0 {
				n = RemoveRange(out, n, Range{r.Base, r.End()})
			}
		}
	} else if i.Flags&FlagMem != 0 {
		// mem_lower counts from 0, mem_upper from 1 MiB, both in KiB.
		if i.MemLower > 0 {
			n = insertRange(out, n, Range{0, uint64(i.MemLower) << 10})
		}
		if i.MemUpper > 0 {
			n = insertRange(out, n, Range{1 << 20, 1<<20 + uint64(i.MemUpper)<<10})
		}
		n = mergeRanges(out, n)
	}
	return alignRanges(out, n)
}

// insertRange inserts r into the sorted out[:n], dropping the highest range
// if out is full, and returns the new count.
func insertRange(out []Range, n int, r Range) int {
	if n == len(out) {
		if n == 0 || r.Start >= out[n-1].Start {
			return n
		}
		n-- // drop the highest to make room
	}
	j := n
	for j > 0 && out[j-1].Start > r.Start {
		out[j] = out[j-1]
		j--
	}
	out[j] = r
	return n + 1
}

// mergeRanges joins overlapping and touching ranges of the sorted out[:n].
func mergeRanges(out []Range, n int) int {
	if n == 0 {
		return 0
	}
	w := 0
	for _, r := range out[1:n] {
		if r.Start <= out[w].End {
			out[w].End = max(out[w].End, r.End)
			continue
		}
		w++
		out[w] = r
	}
	return w + 1
}

// RemoveRange removes hole from the sorted, disjoint ranges out[:n] and
// returns the new count. A hole inside one range splits it; if out has no
// room for the extra piece, the highest range is dropped. Page-align the
// hole outward first to keep the ranges page aligned.
//
// Context: kernel (no allocation, no pointer stores).
func RemoveRange(out []Range, n int, hole Range) int {
	if hole.End <= hole.Start {
		return n
	}
	for j := 0; j < n; j++ {
		r := out[j]
		if hole.End <= r.Start || r.End <= hole.Start {
			continue
		}
		switch {
		case hole.Start <= r.Start && r.End <= hole.End:
			copy(out[j:n], out[j+1:n])
			n--
			j--
		case hole.Start <= r.Start:
			out[j].Start = hole.End
		case r.End <= hole.End:
			out[j].End = hole.Start
		default: // strictly inside: split
			out[j].End = hole.Start
			if n == len(out) {
				n-- // no room: drop the highest
				if j == n {
					return n + 1 // the split range itself is the highest
				}
			}
			copy(out[j+2:n+1], out[j+1:n])
			out[j+1] = Range{hole.End, r.End}
			return n + 1 // ranges are disjoint: nothing else overlaps
		}
	}
	return n
}

// alignRanges shrinks each range of out[:n] to whole pages and drops the
// ones left empty.
func alignRanges(out []Range, n int) int {
	w := 0
	for _, r := range out[:n] {
		start := r.Start + PageSize - 1
		if start < r.Start {
			continue // no page starts at or after r.Start
		}
		start &^= PageSize - 1
		end := r.End &^ (PageSize - 1)
		if start < end {
			out[w] = Range{start, end}
			w++
		}
	}
	return w
}
