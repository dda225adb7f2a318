package kernel

import (
	"golang.org/x/sys/unix"

	"warren.dev/kernel/cpu"
	"warren.dev/kernel/files"
)

// The working directory, one per process (files.Cwd): a process starts
// in its parent's (the loader's processes in the program's), and a chdir
// in a child, such as os/exec's for Cmd.Dir before it execs, leaves its
// parent's alone.

var cwds [maxProcs]files.Cwd

// initCwd starts the program in the directory at path p of the
// read-only tree.
//
// Context: kernel (no allocation, no pointer stores); runs in kmain.
func initCwd(p []byte) {
	for i := range cwds {
		cwds[i].Start(nil)
	}
	cwds[0].Start(p)
}

// curCwd is the caller's working directory.
func curCwd() *files.Cwd { return &cwds[curProc()] }

// inheritCwd gives process c the working directory of process p.
//
// Context: kernel (no allocation, no pointer stores).
func inheritCwd(c, p int32) { cwds[c].Inherit(&tmp, &cwds[p]) }

// dropCwdTmp lets go of process p's working directory in /tmp.
//
// Context: kernel (no allocation, no pointer stores).
func dropCwdTmp(p int32) { cwds[p].Drop(&tmp) }

// sysGetcwd is getcwd(buf, size): ERANGE if the path and its NUL do not
// fit in size.
//
// Context: kernel (no allocation, no pointer stores).
func sysGetcwd(f *cpu.TrapFrame) (uint64, unix.Errno) {
	var b [pathMax]byte
	n, e := curCwd().Getcwd(&tmp, &b)
	if e != 0 {
		return 0, e
	}
	if f.RSI < uint64(n) {
		return 0, unix.ERANGE
	}
	return uint64(n), copyOut(f.RDI, b[:n])
}
