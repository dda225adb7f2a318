package vm

import "golang.org/x/sys/unix"

// protSem is Linux PROT_SEM (asm-generic/mman-common.h), missing from
// x/sys/unix; atomics need no special pages on x86, so it is accepted.
const protSem = 0x8

// Mprotect changes the protection of [addr, addr+length), splitting areas
// at its ends and updating pages already present. Unlike Linux, which
// changes the areas before the first hole, it checks the whole range first
// and changes nothing if any of it is unmapped (ENOMEM).
// Context: kernel (no allocation, no pointer stores).
func (as *AddressSpace) Mprotect(addr, length uint64, prot int) unix.Errno {
	if !as.ready || addr%PageSize != 0 {
		return unix.EINVAL
	}
	if length == 0 {
		return 0
	}
	length = (length + PageSize - 1) &^ (PageSize - 1)
	end := addr + length
	if end <= addr {
		return unix.ENOMEM
	}
	if prot&^(protRWX|protSem) != 0 {
		return unix.EINVAL // includes PROT_GROWSDOWN/UP: no area grows
	}
	if !as.covered(addr, end) {
		return unix.ENOMEM
	}
	p := uint8(prot & protRWX)
	ed, fits := as.plan(addr, end, true, p)
	if !fits {
		return unix.ENOMEM
	}
	as.apply(&ed)
	if as.resident > 0 {
		// The range is all areas, so no kernel mapping is touched; 4 KiB
		// user pages need no split, so this cannot fail.
		_ = as.pt.SetFlagsRange(addr, end, pteFlags(p))
		as.invalidate(addr, end)
	}
	return 0
}
