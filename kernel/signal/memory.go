package signal

// UserMemory copies bytes between the kernel and a user address space.
// Both methods fail (EFAULT) rather than fault when any byte of the range
// is not mapped with the needed access. They must not keep b after
// returning: callers pass buffers on the kernel stack (see noescape).
type UserMemory interface {
	CopyOut(addr uint64, b []byte) error
	CopyIn(addr uint64, b []byte) error
}
