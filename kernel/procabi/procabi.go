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
	// descriptors 0, 1 and 2 on the console. The name is the
	// executable's absolute path, which /proc/self/exe names (at most
	// PathMax bytes); its first NameMax bytes label the process in the
	// kernel's messages. Returns the pid.
	SysCreate = 515
	// SysMap, SysWrite and SysProtect apply only to processes that have
	// not started, or whose execve has passed its point of no return
	// (SysExecReply); EBUSY otherwise.
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
	// the page-aligned end of the highest loaded segment. On a process
	// in execve past its point of no return, it ends the execve: the
	// calling thread returns to user mode there instead.
	SysStart = 519
	// SysWait (pid) blocks until process pid has ended and returns its
	// wait status in Linux's encoding (exit code << 8, or the number of
	// the signal that killed it), then forgets the pid. On a process that
	// never started it discards it (status SIGKILL): a loader that gives
	// up calls it to free the slot. EINTR if a signal ends the wait.
	SysWait = 520

	// Exec: a process's execve is served by the loader. The kernel has
	// resolved the path in the caller's context (working directory,
	// /proc/self/exe) to a regular, executable file of the tree.
	//
	// SysExecNext (req) blocks until a process calls execve, then fills
	// req (ExecRequestSize bytes; below) and returns 0. EINTR if a
	// signal ends the wait. A req of 0 returns at once: it announces
	// the loader, before which execve fails with ENOSYS.
	SysExecNext = 524
	// SysExecRead (pid, addr, buf, n) copies n bytes of process pid's
	// memory at addr into buf while its execve waits for the loader:
	// argv and envp and their strings. EFAULT where nothing is mapped.
	SysExecRead = 525
	// SysExecReply (pid, errno) answers the execve: before the point of
	// no return a non-zero errno fails it (ENOEXEC, E2BIG, EFAULT, ...)
	// and 0 passes that point: the process's other threads end, it
	// gets an empty address space of its own (a vfork child leaves its
	// parent's, and the parent resumes), and the loader lays out the
	// executable with SysMap, SysWrite and SysProtect and ends with
	// SysStart. A non-zero errno after that point kills the process
	// with SIGSEGV, as Linux does when exec fails there.
	SysExecReply = 526
)

// An exec request, as SysExecNext writes it: little-endian words at the
// offsets below, then the path's bytes (no NUL).
const (
	ExecPid     = 0  // the calling process
	ExecArgv    = 8  // its argv: the address of a NULL-terminated array
	ExecEnvp    = 16 // its envp, the same
	ExecPathLen = 24 // the length of the absolute path that follows
	ExecPath    = 32

	ExecRequestSize = ExecPath + PathMax
)

// ProgramExe is where an image's file tree holds the image's program
// built as a plain static Linux executable (warren build -selfexe,
// warren test): the program's /proc/self/exe names it, so the program can
// re-execute itself as a process.
const ProgramExe = "/warren/program"

// PathMax bounds a path, as Linux's PATH_MAX.
const PathMax = 4096

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
