package vm

import "golang.org/x/sys/unix"

// Madvise applies advice to [addr, addr+length). MADV_DONTNEED and
// MADV_FREE drop the backing frames at once, so the next touch reads zeros;
// other advice Linux accepts for anonymous memory succeeds and does
// nothing. Holes give ENOMEM after the mapped parts are handled, as on
// Linux.
// Context: kernel (no allocation, no pointer stores).
func (as *AddressSpace) Madvise(addr, length uint64, advice int) unix.Errno {
	drop := false
	switch advice {
	case unix.MADV_DONTNEED, unix.MADV_FREE, unix.MADV_DONTNEED_LOCKED:
		drop = true
	case unix.MADV_NORMAL, unix.MADV_RANDOM, unix.MADV_SEQUENTIAL, unix.MADV_WILLNEED,
		unix.MADV_DONTFORK, unix.MADV_DOFORK, unix.MADV_MERGEABLE, unix.MADV_UNMERGEABLE,
		unix.MADV_HUGEPAGE, unix.MADV_NOHUGEPAGE, unix.MADV_DONTDUMP, unix.MADV_DODUMP,
		unix.MADV_WIPEONFORK, unix.MADV_KEEPONFORK, unix.MADV_COLD, unix.MADV_PAGEOUT,
		unix.MADV_POPULATE_READ, unix.MADV_POPULATE_WRITE, unix.MADV_COLLAPSE:
	default:
		// Includes MADV_REMOVE (needs a shared file) and MADV_HWPOISON.
		return unix.EINVAL
	}
	if !as.ready || addr%PageSize != 0 {
		return unix.EINVAL
	}
	rounded := (length + PageSize - 1) &^ (PageSize - 1)
	if length != 0 && rounded == 0 {
		return unix.EINVAL
	}
	end := addr + rounded
	if end < addr {
		return unix.EINVAL
	}
	if end == addr {
		return 0
	}
	if drop {
		as.dropAdvised(addr, end)
	}
	if !as.covered(addr, end) {
		return unix.ENOMEM
	}
	return 0
}
