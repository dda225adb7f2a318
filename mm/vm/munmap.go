package vm

import "golang.org/x/sys/unix"

// Munmap removes mappings in [addr, addr+length), splitting areas it cuts
// and freeing their frames. Unmapped parts are fine, as on Linux.
// Context: kernel (no allocation, no pointer stores).
func (as *AddressSpace) Munmap(addr, length uint64) unix.Errno {
	if !as.ready || addr%PageSize != 0 || addr > as.hi || length > as.hi-addr {
		return unix.EINVAL
	}
	length = (length + PageSize - 1) &^ (PageSize - 1)
	if length == 0 {
		return unix.EINVAL
	}
	end := addr + length
	ed, fits := as.plan(addr, end, false, 0)
	if !fits {
		return unix.ENOMEM // splitting one area in two with the table full
	}
	as.drop(addr, end)
	as.unretain(addr, end)
	as.apply(&ed)
	return 0
}
