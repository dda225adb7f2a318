package vm

import "golang.org/x/sys/unix"

// Retained ranges hold a loaded executable's segments. On Linux they are
// private file mappings: MADV_DONTNEED drops their pages and the next
// touch reads them back from the file, so a program that advises over its
// own code keeps running. Here the segments are anonymous memory the
// loader filled, with no file to read back, so advice leaves their pages
// in place instead of zeroing them. munmap and a new mapping over them end
// the retention.

// MaxRetained bounds the retained ranges (an executable's loadable
// segments).
const MaxRetained = 8

// Retain marks [addr, addr+length), which must be mapped, as a loaded
// segment whose pages Madvise does not drop.
// Context: kernel (no allocation, no pointer stores).
func (as *AddressSpace) Retain(addr, length uint64) unix.Errno {
	end := addr + (length+PageSize-1)&^(PageSize-1)
	switch {
	case !as.ready || addr%PageSize != 0 || end <= addr:
		return unix.EINVAL
	case !as.covered(addr, end):
		return unix.ENOMEM
	case as.nretained == MaxRetained:
		return unix.ENOMEM
	}
	as.retained[as.nretained] = Range{addr, end}
	as.nretained++
	return 0
}

// unretain ends the retention of every range touching [s, e).
func (as *AddressSpace) unretain(s, e uint64) {
	k := 0
	for _, r := range as.retained[:as.nretained] {
		if r.Start < e && s < r.End {
			continue
		}
		as.retained[k] = r
		k++
	}
	as.nretained = k
}

// dropAdvised drops the pages of [s, e) outside the retained ranges.
func (as *AddressSpace) dropAdvised(s, e uint64) {
	for s < e {
		if r, ok := as.retainedAt(s); ok {
			s = min(r.End, e)
			continue
		}
		next := e // the start of the next retained range, if it comes first
		for _, r := range as.retained[:as.nretained] {
			if r.Start > s && r.Start < next {
				next = r.Start
			}
		}
		as.drop(s, next)
		s = next
	}
}

// retainedAt returns the retained range holding addr.
func (as *AddressSpace) retainedAt(addr uint64) (Range, bool) {
	for _, r := range as.retained[:as.nretained] {
		if r.Start <= addr && addr < r.End {
			return r, true
		}
	}
	return Range{}, false
}
