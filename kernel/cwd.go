package kernel

import (
	"golang.org/x/sys/unix"

	"warren.dev/fs/tmpfs"
	"warren.dev/kernel/cpu"
)

// The working directory, one for all processes. In /tmp it is a tmpfs
// directory the kernel holds, as Linux holds a dentry: it has no length
// limit (a relative chdir goes as deep as the tree), follows renames,
// and a removed one stays, empty, until the next chdir. In the read-only
// tree, whose paths are the initrd's, it is a path.

var (
	cwdBuf [pathMax]byte
	cwdLen int
	cwdTmp = tmpfs.None // the directory in /tmp, or None
)

// setCwdPath makes the directory at path p of the read-only tree the
// working directory.
//
// Context: kernel (no allocation, no pointer stores).
func setCwdPath(p []byte) {
	dropCwdTmp()
	cwdLen = copy(cwdBuf[:], p)
}

// setCwdTmp makes tmpfs directory ino the working directory.
//
// Context: kernel (no allocation, no pointer stores).
func setCwdTmp(ino tmpfs.Ino) {
	tmp.Hold(ino)
	dropCwdTmp()
	cwdTmp = ino
}

// dropCwdTmp lets go of a working directory in /tmp.
//
// Context: kernel (no allocation, no pointer stores).
func dropCwdTmp() {
	if cwdTmp != tmpfs.None {
		tmp.Close(cwdTmp)
		cwdTmp = tmpfs.None
	}
}

// sysGetcwd is getcwd(buf, size): ERANGE if the path and its NUL do not
// fit in size, ENAMETOOLONG beyond PATH_MAX, as Linux; ENOENT once the
// directory is removed.
//
// Context: kernel (no allocation, no pointer stores).
func sysGetcwd(f *cpu.TrapFrame) (uint64, unix.Errno) {
	var b [pathMax]byte
	n := copy(b[:], cwdBuf[:cwdLen])
	if cwdTmp != tmpfs.None {
		var e unix.Errno
		if n, e = tmpPath(cwdTmp, b[:pathMax-1]); e != 0 {
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
