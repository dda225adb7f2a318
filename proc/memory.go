package proc

// Memory is the address space of a process being built.
type Memory interface {
	// Map maps zeroed memory at the page-aligned addr with protection
	// prot (PROT_*), replacing what was there.
	Map(addr, length uint64, prot int) error
	// Protect changes the protection of mapped memory, as mprotect.
	Protect(addr, length uint64, prot int) error
	// Write copies b to addr, which must be mapped. The loader writes
	// while memory is still writable and protects it afterwards.
	Write(addr uint64, b []byte) error
}
