package kernel

import (
	"golang.org/x/sys/unix"

	"warren.dev/fs/tmpfs"
	"warren.dev/kernel/cpu"
)

// The working directory, one per process, as on Linux: a process starts
// in its parent's (the loader's processes in the program's), and a chdir
// in a child, such as os/exec's for Cmd.Dir before it execs, leaves its
// parent's alone. In /tmp it is a tmpfs directory the kernel holds, as
// Linux holds a dentry: it has no length limit (a relative chdir goes as
// deep as the tree), follows renames, and a removed one stays, empty,
// until the next chdir. In the read-only tree, whose paths are the
// initrd's, it is a path.

var (
	cwdBuf [maxProcs][pathMax]byte
	cwdLen [maxProcs]int
	cwdTmp [maxProcs]tmpfs.Ino // the directory in /tmp, or None
)

// initCwd starts the program in the directory at path p of the
// read-only tree.
//
// Context: kernel (no allocation, no pointer stores); runs in kmain.
func initCwd(p []byte) {
	for i := range cwdTmp {
		cwdTmp[i] = tmpfs.None
	}
	cwdLen[0] = copy(cwdBuf[0][:], p)
}

// curCwd returns the caller's working directory: its path in the
// read-only tree, or its directory in /tmp (tmpfs.None if not there).
func curCwd() ([]byte, tmpfs.Ino) {
	p := curProc()
	return cwdBuf[p][:cwdLen[p]], cwdTmp[p]
}

// setCwdPath makes the directory at path d of the read-only tree the
// caller's working directory.
//
// Context: kernel (no allocation, no pointer stores).
func setCwdPath(d []byte) {
	p := curProc()
	dropCwdTmp(p)
	cwdLen[p] = copy(cwdBuf[p][:], d)
}

// setCwdTmp makes tmpfs directory ino the caller's working directory.
//
// Context: kernel (no allocation, no pointer stores).
func setCwdTmp(ino tmpfs.Ino) {
	p := curProc()
	tmp.Hold(ino)
	dropCwdTmp(p)
	cwdTmp[p] = ino
}

// inheritCwd gives process c the working directory of process p.
//
// Context: kernel (no allocation, no pointer stores).
func inheritCwd(c, p int32) {
	dropCwdTmp(c)
	cwdLen[c] = copy(cwdBuf[c][:], cwdBuf[p][:cwdLen[p]])
	if cwdTmp[p] != tmpfs.None {
		tmp.Hold(cwdTmp[p])
		cwdTmp[c] = cwdTmp[p]
	}
}

// dropCwdTmp lets go of process p's working directory in /tmp.
//
// Context: kernel (no allocation, no pointer stores).
func dropCwdTmp(p int32) {
	if cwdTmp[p] != tmpfs.None {
		tmp.Close(cwdTmp[p])
		cwdTmp[p] = tmpfs.None
	}
}

// sysGetcwd is getcwd(buf, size): ERANGE if the path and its NUL do not
// fit in size, ENAMETOOLONG beyond PATH_MAX, as Linux; ENOENT once the
// directory is removed.
//
// Context: kernel (no allocation, no pointer stores).
func sysGetcwd(f *cpu.TrapFrame) (uint64, unix.Errno) {
	var b [pathMax]byte
	dir, ino := curCwd()
	n := copy(b[:], dir)
	if ino != tmpfs.None {
		var e unix.Errno
		if n, e = tmpPath(ino, b[:pathMax-1]); e != 0 {
			return 0, e
		}
	} else if n == pathMax {
		return 0, unix.ENAMETOOLONG
	}
	b[n] = 0
	if f.RSI < uint64(n+1) {
		return 0, unix.ERANGE
	}
	return uint64(n + 1), copyOut(f.RDI, b[:n+1])
}
