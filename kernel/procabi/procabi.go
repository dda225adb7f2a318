// Package procabi is the contract between the kernel and the process
// loader (warren.dev/proc), which runs as goroutines of the Warren
// program: the loader parses a static executable and lays out its memory
// through these calls, and the kernel runs it in ring 3 in an address
// space of its own.
package procabi

// Warren's system calls for processes (kernel/systab.go installs them).
// A pid names a process from SysCreate until SysWait has reported its
// end; every call on another pid fails with ESRCH.
const (
	// SysCreate (name, nameLen) makes an empty process: nothing mapped,
	// descriptors 0, 1 and 2 on the console. The name (at most NameMax
	// bytes are kept) labels it in the kernel's messages. Returns the pid.
	SysCreate = 515
	// SysMap, SysWrite and SysProtect apply only to processes that have
	// not started (EBUSY otherwise).
	//
	// SysMap (pid, addr, len, prot) maps zeroed anonymous memory at the
	// page-aligned addr in process pid, replacing what was there, with
	// protection prot (PROT_*).
	SysMap = 516
	// SysWrite (pid, addr, buf, n) copies n bytes from buf into process
	// pid's memory at addr, which must be mapped writable: the loader
	// writes a segment before it protects it.
	SysWrite = 517
	// SysProtect (pid, addr, len, prot) changes the protection of mapped
	// memory in process pid, as mprotect.
	SysProtect = 518
	// SysStart (pid, entry, sp, brk) starts process pid's first thread in
	// user mode at entry with the stack pointer sp (the loader has written
	// argc, argv, envp and auxv there). brk is the initial program break:
	// the page-aligned end of the highest loaded segment.
	SysStart = 519
	// SysWait (pid) blocks until process pid has ended and returns its
	// wait status in Linux's encoding (exit code << 8, or the number of
	// the signal that killed it), then forgets the pid. On a process that
	// never started it discards it (status SIGKILL): a loader that gives
	// up calls it to free the slot. EINTR if a signal ends the wait.
	SysWait = 520
)

// NameMax bounds the name the kernel keeps for a process.
const NameMax = 64

// UserTop is the end of a process's address space: it may map
// [UserBottom, UserTop).
const (
	UserBottom = 0x10000
	UserTop    = 0x4000_0000_0000
)

// The vDSO lies at the same addresses in every address space, above
// UserTop, where a process's mmap, munmap, mprotect and madvise never
// reach: the clock page at VDSOData (read-only), and right after it the
// page holding the vDSO's ELF image and code at VDSO (read and execute),
// which the loader passes as AT_SYSINFO_EHDR. Neither is writable from
// user mode.
const (
	VDSOData = 0x7fff_ffff_c000
	VDSO     = VDSOData + 0x1000
)
