package pagetable

// Canonical reports whether bits 63-47 of va are all equal, as the CPU
// requires of every linear address with 4-level paging.
func Canonical(va uint64) bool { return signExtend(va) == va }

func signExtend(va uint64) uint64 { return uint64(int64(va<<16) >> 16) }

// index is va's entry in the level-level table that covers it.
func index(va uint64, level int) int { return int(va>>(12+9*level)) & 511 }

// checkRange validates [va, end) (end 0 means the top of the high half) and
// returns it as an inclusive range, or empty for va == end.
func checkRange(va, end uint64) (first, last uint64, empty bool, err error) {
	if va%Size4K != 0 || end%Size4K != 0 {
		return 0, 0, false, ErrMisaligned
	}
	if va == end {
		return 0, 0, true, nil
	}
	last = end - 1
	if last < va {
		return 0, 0, false, ErrRange
	}
	if !Canonical(va) || !Canonical(last) {
		return 0, 0, false, ErrNonCanonical
	}
	if va>>63 != last>>63 {
		return 0, 0, false, ErrRange // spans the non-canonical hole
	}
	return va, last, false, nil
}
