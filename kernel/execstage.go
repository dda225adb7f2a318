package kernel

import (
	"golang.org/x/sys/unix"

	"warren.dev/kernel/procabi"
	"warren.dev/mm/usercopy"
)

// The execve of the program's vfork child. The child runs on the stack
// of the program's thread that vforked, and that thread keeps its Go
// runtime's P while it sleeps (Go's vfork is a raw system call). The
// loader is goroutines of the same runtime, which may need every P: a
// collection stops the world. So the child must not wait in the
// program's memory for the loader. Its execve copies argv and envp into
// the child's own, empty address space (the stage), moves the child
// there and releases the parent, then queues the request. That is its
// point of no return: errors found so far (EFAULT, E2BIG, and the path's)
// fail the call; a later one (the loader's ENOEXEC for a dynamic
// executable, say) kills the child with SIGSEGV, as Linux does past that
// point, and the parent sees the child's exit status instead of an error.

// execStageSize bounds the staged argv and envp: the pointer arrays and
// the strings, as the loader's own bound (a quarter of the stack).
const execStageSize = 2 << 20

// stageExecArgs copies the argv and envp arrays at argv and envp in the
// program's memory into process p's own address space and moves p there;
// it returns where the copies are.
//
// Context: kernel (no allocation, no pointer stores).
func stageExecArgs(p int32, argv, envp uint64) (stagedArgv, stagedEnvp uint64, e unix.Errno) {
	const base = procabi.UserBottom
	as := &procAS[p]
	if _, e := as.Mmap(base, execStageSize, unix.PROT_READ|unix.PROT_WRITE,
		unix.MAP_PRIVATE|unix.MAP_ANONYMOUS|unix.MAP_FIXED); e != 0 {
		return 0, 0, e
	}
	procs[p].mm = p
	// Pointers fill the stage from its start, strings from its end.
	ptrs, strs := uint64(base), uint64(base+execStageSize)
	stagedArgv = ptrs
	if ptrs, strs, e = stageStrings(p, argv, ptrs, strs); e == 0 {
		stagedEnvp = ptrs
		_, _, e = stageStrings(p, envp, ptrs, strs)
	}
	if e != 0 {
		procs[p].mm = 0
		as.Munmap(base, execStageSize)
		return 0, 0, e
	}
	return stagedArgv, stagedEnvp, 0
}

// stageStrings copies the NULL-terminated array of strings at arr in the
// program's memory (a NULL arr is empty) into process p's memory: its
// pointers from ptrs up, its strings from strs down. It returns where the
// next pointer and string go; E2BIG when they meet.
//
// Context: kernel (no allocation, no pointer stores).
func stageStrings(p int32, arr, ptrs, strs uint64) (uint64, uint64, unix.Errno) {
	var word [8]byte
	for i := uint64(0); ; i++ {
		var s uint64
		if arr != 0 {
			if _, e := usercopy.In(userSpace(0), word[:], arr+8*i); e != 0 {
				return 0, 0, e
			}
			s = le64(word[:])
		}
		var at uint64
		if s != 0 {
			n, e := stringLen(s, strs-ptrs)
			if e != 0 {
				return 0, 0, e
			}
			if strs-ptrs < n+1+16 { // the string, its NUL, its pointer and the NULL
				return 0, 0, unix.E2BIG
			}
			strs -= n + 1
			if e := copyBetween(p, strs, 0, s, n+1); e != 0 {
				return 0, 0, e
			}
			at = strs
		}
		put64(word[:], at)
		if _, e := usercopy.Out(userSpace(p), ptrs, word[:]); e != 0 {
			return 0, 0, e
		}
		ptrs += 8
		if s == 0 {
			return ptrs, strs, 0
		}
	}
}

// stringLen is the length of the NUL-terminated string at addr in the
// program's memory, looking at most max bytes (E2BIG beyond).
//
// Context: kernel (no allocation, no pointer stores).
func stringLen(addr, max uint64) (uint64, unix.Errno) {
	n, found := uint64(0), false
	for !found {
		if n >= max {
			return 0, unix.E2BIG
		}
		chunk := min(max-n, pageSize-(addr+n)%pageSize)
		_, e := usercopy.Visit(userSpace(0), addr+n, chunk, false, func(b []byte) bool {
			for _, c := range b {
				if c == 0 {
					found = true
					return false
				}
				n++
			}
			return true
		})
		if e != 0 {
			return 0, e
		}
	}
	return n, 0
}
