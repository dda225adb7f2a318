package vm

import "golang.org/x/sys/unix"

const (
	low2G  = 1 << 31 // MAP_32BIT placement limit
	above4 = 1 << 32 // MAP_ABOVE4G placement floor
)

// Mmap creates an anonymous mapping with Linux semantics and returns its
// address. Nothing is backed until touched, so PROT_NONE reservations cost
// only an area slot. MAP_SHARED anonymous memory behaves as private: with
// no fork nobody else could see it. MAP_NORESERVE, MAP_POPULATE,
// MAP_LOCKED, MAP_STACK and the like need no work: there is no swap and
// no file-backed page.
//
// Context: kernel (no allocation, no pointer stores).
func (as *AddressSpace) Mmap(addr, length uint64, prot, flags int) (uint64, unix.Errno) {
	if !as.ready {
		return 0, unix.ENOMEM
	}
	if flags&unix.MAP_ANONYMOUS == 0 {
		return 0, unix.EBADF // no files to map
	}
	if t := flags & unix.MAP_TYPE; t != unix.MAP_PRIVATE && t != unix.MAP_SHARED {
		return 0, unix.EINVAL // SHARED_VALIDATE, DROPPABLE: as Linux for anonymous memory
	}
	if length == 0 {
		return 0, unix.EINVAL
	}
	switch {
	case flags&unix.MAP_GROWSDOWN != 0:
		return 0, unix.ENOTSUP
	case flags&unix.MAP_HUGETLB != 0:
		return 0, unix.ENOMEM // as Linux with no huge pages reserved
	}
	length = (length + PageSize - 1) &^ (PageSize - 1)
	if length == 0 {
		return 0, unix.ENOMEM
	}
	p := uint8(prot & protRWX) // Linux ignores other prot bits in mmap

	if flags&(unix.MAP_FIXED|unix.MAP_FIXED_NOREPLACE) != 0 {
		return as.mmapFixed(addr, length, p, flags&unix.MAP_FIXED_NOREPLACE != 0)
	}
	lo, hi := as.lo, as.hi
	if flags&unix.MAP_32BIT != 0 {
		hi = min(hi, low2G)
	}
	if flags&unix.MAP_ABOVE4G != 0 {
		lo = max(lo, above4)
	}
	var a uint64
	ok := false
	if hint := (addr + PageSize - 1) &^ (PageSize - 1); addr != 0 && hint >= lo && hint <= hi && length <= hi-hint {
		a, ok = hint, as.free(hint, hint+length)
	}
	if !ok {
		if a, ok = as.topDown(lo, hi, length); !ok {
			return 0, unix.ENOMEM
		}
	}
	ed, fits := as.plan(a, a+length, true, p)
	if !fits {
		return 0, unix.ENOMEM
	}
	as.apply(&ed)
	return a, 0
}

func (as *AddressSpace) mmapFixed(addr, length uint64, prot uint8, noReplace bool) (uint64, unix.Errno) {
	if addr%PageSize != 0 {
		return 0, unix.EINVAL
	}
	if addr < as.lo || addr > as.hi || length > as.hi-addr || as.excluded(addr, addr+length) {
		return 0, unix.ENOMEM
	}
	end := addr + length
	if noReplace {
		if i := as.find(addr); i < as.n && as.areas[i].start < end {
			return 0, unix.EEXIST
		}
	}
	ed, fits := as.plan(addr, end, true, prot)
	if !fits {
		return 0, unix.ENOMEM
	}
	as.drop(addr, end) // the old contents go; the new mapping reads as zero
	as.unretain(addr, end)
	as.apply(&ed)
	return addr, 0
}

// free reports whether [s, e) holds no area and no excluded range.
func (as *AddressSpace) free(s, e uint64) bool {
	if i := as.find(s); i < as.n && as.areas[i].start < e {
		return false
	}
	return !as.excluded(s, e)
}

// topDown finds the highest free range of length inside [lo, hi), walking
// the gaps between areas downwards like Linux's top-down allocator.
func (as *AddressSpace) topDown(lo, hi, length uint64) (uint64, bool) {
	if hi <= lo || length > hi-lo {
		return 0, false
	}
	top := hi
	j := as.find(hi)
	if j < as.n && as.areas[j].start < top {
		top = as.areas[j].start
	}
	for i := j - 1; top > lo; i-- {
		bottom := lo
		if i >= 0 && as.areas[i].end > lo {
			bottom = as.areas[i].end
		}
		if a, ok := as.placeInGap(bottom, top, length); ok {
			return a, true
		}
		if i < 0 {
			break
		}
		top = as.areas[i].start
	}
	return 0, false
}

// placeInGap finds the highest spot for length in the area-free gap
// [bottom, top) that avoids the excluded ranges.
func (as *AddressSpace) placeInGap(bottom, top, length uint64) (uint64, bool) {
	for top > bottom && top-bottom >= length {
		a := top - length
		ex, hit := as.exclOverlap(a, top)
		if !hit {
			return a, true
		}
		// Every excluded range overlapping [a, top) is too close to top for
		// a fit above it, so continue below the lowest.
		top = ex
	}
	return 0, false
}
