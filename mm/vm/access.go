package vm

import "golang.org/x/sys/unix"

// Access makes [addr, addr+length) ready for the kernel to copy to (write)
// or from: every page must lie in an area allowing the access, and is
// faulted in. EFAULT covers holes, forbidden or excluded pages and
// overflowing ranges; ENOMEM means a page could not be backed.
// Context: kernel (no allocation, no pointer stores).
func (as *AddressSpace) Access(addr, length uint64, write bool) unix.Errno {
	if length == 0 {
		return 0
	}
	end := addr + length
	if !as.ready || end < addr || addr < as.lo || end > as.hi || as.excluded(addr, end) {
		return unix.EFAULT
	}
	// Check everything before backing anything.
	for i, s := as.find(addr), addr; s < end; i++ {
		if i >= as.n || as.areas[i].start > s || !allows(as.areas[i].prot, write, false) {
			return unix.EFAULT
		}
		s = as.areas[i].end
	}
	for va := addr &^ (PageSize - 1); va < end; va += PageSize {
		// A page already present with the access allowed needs nothing:
		// Fault would also invalidate its TLB entry, which is wasted
		// work on every copy of a system call.
		if _, _, f, ok := as.pt.Lookup(va); ok && pteAllows(f, write, false) {
			continue
		}
		switch as.Fault(va, write, false) {
		case Mapped:
		case OOM:
			return unix.ENOMEM
		default:
			return unix.EFAULT
		}
	}
	return 0
}

// Translate returns the physical address behind user address va if its
// page is present and accessible to user code.
// Context: kernel (no allocation, no pointer stores).
func (as *AddressSpace) Translate(va uint64) (pa uint64, ok bool) {
	if !as.ready || va < as.lo || va >= as.hi || as.excluded(va, va+1) {
		return 0, false
	}
	pa, _, f, ok := as.pt.Lookup(va)
	if !ok || !pteAllows(f, false, false) {
		return 0, false
	}
	return pa, true
}
