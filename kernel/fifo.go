package kernel

import (
	"golang.org/x/sys/unix"

	"warren.dev/fs/tmpfs"
	"warren.dev/kernel/cpu"
	"warren.dev/kernel/files"
)

// FIFOs (named pipes) are tmpfs inodes of type S_IFIFO; while one is
// open, a pipe of the pipe table carries its bytes, made at its first
// open and freed when its last end is closed. Each open file description
// of it is a kindPipe description that also counts as an open of the
// inode (tmp.Open), dropped when the description goes.

// pipeFifo[i] is the FIFO pipe i serves, or tmpfs.None for a pipe made
// by pipe2.
var pipeFifo [maxPipes]tmpfs.Ino

// openFifo opens FIFO ino, which tmp.Open counted an open of, with
// open(2)'s flags: the description's flags are keep.
//
// Context: kernel (no allocation, no pointer stores).
func openFifo(ino tmpfs.Ino, flags, keep uint32) (uint64, unix.Errno) {
	i, e := fifoPipe(ino)
	if e != 0 {
		tmp.Close(ino)
		return 0, e
	}
	acc := flags & unix.O_ACCMODE
	read, write := acc != unix.O_WRONLY, acc != unix.O_RDONLY
	if e := files.FifoOpen(callerEnv(), pipeMem{}, &pipes[i], read, write, flags&unix.O_NONBLOCK != 0); e != 0 {
		tmp.Close(ino)
		return 0, restartable(e)
	}
	f, e := newFile(kindPipe, i, keep&^unix.O_CLOEXEC)
	if e != 0 {
		closePipeEnds(i, acc)
		tmp.Close(ino)
		return 0, e
	}
	fd, e := installFD(f, 0, keep&unix.O_CLOEXEC != 0)
	return uint64(fd), e
}

// fifoPipe finds the pipe of FIFO ino, or makes it.
//
// Context: kernel (no allocation, no pointer stores).
func fifoPipe(ino tmpfs.Ino) (int32, unix.Errno) {
	for i := int32(0); i < maxPipes; i++ {
		if pipes[i].Used && pipeFifo[i] == ino {
			return i, 0
		}
	}
	i, e := freePipe()
	if e != 0 {
		return 0, e
	}
	if !files.OpenFifo(pipeMem{}, &pipes[i], curProc()) {
		return 0, unix.ENFILE
	}
	pipeFifo[i] = ino
	return i, 0
}

// sysMknodat is mknodat(dirfd, path, mode, dev): FIFOs, regular files
// and unix socket files in /tmp; device files are refused (EPERM).
//
// Context: kernel (no allocation, no pointer stores).
func sysMknodat(f *cpu.TrapFrame) (uint64, unix.Errno) {
	return mknod(int64(int32(f.RDI)), f.RSI, uint32(f.RDX))
}

func sysMknod(f *cpu.TrapFrame) (uint64, unix.Errno) {
	return mknod(unix.AT_FDCWD, f.RDI, uint32(f.RSI))
}

// Context: kernel (no allocation, no pointer stores).
func mknod(dirfd int64, path uint64, mode uint32) (uint64, unix.Errno) {
	switch mode & unix.S_IFMT {
	case 0:
		mode |= unix.S_IFREG
	case unix.S_IFREG, unix.S_IFIFO, unix.S_IFSOCK:
	case unix.S_IFCHR, unix.S_IFBLK, unix.S_IFDIR:
		return 0, unix.EPERM
	default:
		return 0, unix.EINVAL
	}
	var scratch files.Scratch
	w, e := tmpTarget(dirfd, path, tmpfs.Parent, &scratch)
	if e == 0 {
		_, e = tmp.Mknod(w, mode&^umask(), 0, 0)
	}
	return 0, e
}
