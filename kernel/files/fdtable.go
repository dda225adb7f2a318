package files

import (
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// MaxFDs is the most descriptors one table holds; a process's
// RLIMIT_NOFILE (the limit arguments below) is at most this. It is the
// program's hard limit, which Go raises its soft limit to: Linux's is
// commonly 4,096 or more, and Go's tests open 1,200 files at once.
const MaxFDs = 4096

// Descriptions is the kernel's table of open file descriptions as a
// descriptor table sees it: numbered from 0 and reference counted, each
// reference a descriptor (or another holder) naming it.
type Descriptions interface {
	// Hold takes one more reference on description f.
	Hold(f int32)
	// Release drops one; the last frees f and the object behind it.
	Release(f int32)
}

// Table is one process's descriptors. Its zero value is not empty:
// Clear it first.
//
// Invariant: every change of which description a descriptor names adds
// one to gen, so a reader outside the kernel lock that saw a generation
// knows, while gen still holds it, that nothing it looked up since has
// changed (the program's socket calls, sockets/lookcache.go).
type Table struct {
	fds [MaxFDs]entry
	gen atomic.Uint64
}

type entry struct {
	file    int32 // open file description, -1 if closed
	cloexec bool
}

// Clear empties t without releasing anything.
//
// Context: kernel (no allocation, no pointer stores).
func (t *Table) Clear() {
	for i := range t.fds {
		t.fds[i] = entry{file: -1}
	}
	t.Changed()
}

// Changed records a change a reader of the table may have cached: one
// of its descriptors, or the status flags of a description it names.
//
// Context: kernel (no allocation, no pointer stores).
func (t *Table) Changed() { t.gen.Add(1) }

// Gen is the table's generation word, for a reader outside the kernel
// lock (sockabi.SysLookupGen).
func (t *Table) Gen() *atomic.Uint64 { return &t.gen }

// File is the description behind fd.
//
// Context: kernel (no allocation, no pointer stores).
func (t *Table) File(fd uint64) (int32, unix.Errno) {
	if fd >= MaxFDs || t.fds[fd].file < 0 {
		return -1, unix.EBADF
	}
	return t.fds[fd].file, 0
}

// CloseOnExec reports FD_CLOEXEC on an open descriptor.
func (t *Table) CloseOnExec(fd uint64) bool { return fd < MaxFDs && t.fds[fd].cloexec }

// SetCloseOnExec sets or clears FD_CLOEXEC on an open descriptor.
func (t *Table) SetCloseOnExec(fd uint64, on bool) {
	if _, e := t.File(fd); e == 0 {
		t.fds[fd].cloexec = on
	}
}

// Install gives description f the lowest free descriptor at or above
// min and below limit, taking over the caller's reference; with none
// free it drops that reference and fails with EMFILE.
//
// Context: kernel (no allocation, no pointer stores).
func Install[D Descriptions](d D, t *Table, f int32, min, limit int, cloexec bool) (int, unix.Errno) {
	for fd := max(min, 0); fd < limit && fd < MaxFDs; fd++ {
		if t.fds[fd].file < 0 {
			t.fds[fd] = entry{file: f, cloexec: cloexec}
			t.Changed()
			return fd, 0
		}
	}
	d.Release(f)
	return -1, unix.EMFILE
}

// Dup gives fd's description another descriptor, the lowest free at or
// above min (dup, F_DUPFD, F_DUPFD_CLOEXEC).
//
// Context: kernel (no allocation, no pointer stores).
func Dup[D Descriptions](d D, t *Table, fd uint64, min, limit int, cloexec bool) (int, unix.Errno) {
	f, e := t.File(fd)
	if e != 0 {
		return -1, e
	}
	d.Hold(f)
	return Install(d, t, f, min, limit, cloexec)
}

// DupTo makes newfd name oldfd's description, closing what newfd named
// (dup2, dup3; the caller rules on oldfd == newfd).
//
// Context: kernel (no allocation, no pointer stores).
func DupTo[D Descriptions](d D, t *Table, oldfd, newfd uint64, cloexec bool) (uint64, unix.Errno) {
	f, e := t.File(oldfd)
	if e != 0 {
		return 0, e
	}
	if newfd >= MaxFDs {
		return 0, unix.EBADF
	}
	d.Hold(f)
	if t.fds[newfd].file >= 0 {
		Close(d, t, newfd)
	}
	t.fds[newfd] = entry{file: f, cloexec: cloexec}
	t.Changed()
	return newfd, 0
}

// Close closes one descriptor.
//
// Context: kernel (no allocation, no pointer stores).
func Close[D Descriptions](d D, t *Table, fd uint64) unix.Errno {
	f, e := t.File(fd)
	if e != 0 {
		return e
	}
	t.fds[fd].file = -1
	t.Changed()
	d.Release(f)
	return 0
}

// CloseAll closes every descriptor, as a process's end does.
//
// Context: kernel (no allocation, no pointer stores).
func CloseAll[D Descriptions](d D, t *Table) {
	for fd := range t.fds {
		if t.fds[fd].file >= 0 {
			Close(d, t, uint64(fd))
		}
	}
}

// Exec closes the close-on-exec descriptors, as execve does.
//
// Context: kernel (no allocation, no pointer stores).
func Exec[D Descriptions](d D, t *Table) {
	for fd := range t.fds {
		if t.fds[fd].file >= 0 && t.fds[fd].cloexec {
			Close(d, t, uint64(fd))
		}
	}
}

// Inherit makes dst, which is empty, a copy of src naming the same
// descriptions, close-on-exec flags included, as fork does.
//
// Context: kernel (no allocation, no pointer stores).
func Inherit[D Descriptions](d D, dst, src *Table) {
	for fd := range src.fds {
		if f := src.fds[fd].file; f >= 0 {
			d.Hold(f)
		}
		dst.fds[fd] = src.fds[fd]
	}
	dst.Changed()
}
