package files

import (
	"golang.org/x/sys/unix"

	"warren.dev/fs/tmpfs"
)

// Open resolves path p from d for open(2) with flags and applies the
// rules of the tree outside /tmp, which is read-only: creating there is
// EROFS (EEXIST with O_EXCL when the name exists), as is opening for
// writing or truncating anything but a device. What it returns is to be
// opened as is: a place in the tmpfs (tmpfs.FS.Open decides the rest), a
// device, a served file, or an initrd file or directory.
//
// Context: kernel (no allocation, no pointer stores).
func (t *Tree) Open(d Dir, p []byte, flags uint32, exe []byte, scratch *Scratch) (Resolved, unix.Errno) {
	if flags&unix.O_TMPFILE == unix.O_TMPFILE {
		return Resolved{}, unix.EOPNOTSUPP
	}
	r, e := t.Lookup(d, p, tmpfs.OpenLast(int(flags)), exe, scratch)
	if e == 0 && r.InTmp {
		var again bool
		if again, e = t.Tmp.OpenAgain(r.Tmp, int(flags)); again {
			r, e = t.Lookup(d, p, tmpfs.Follow, exe, scratch)
		}
	} else if e == 0 && r.Entry >= 0 && flags&unix.O_CREAT != 0 && t.Initrd.Mode(r.Entry)&unix.S_IFMT == unix.S_IFLNK {
		r, e = t.Lookup(d, p, tmpfs.Follow, exe, scratch)
	}
	switch {
	case e == unix.ENOENT && flags&unix.O_CREAT != 0 && !r.InTmp:
		return r, unix.EROFS
	case e != 0 || r.InTmp:
		return r, e
	case flags&(unix.O_CREAT|unix.O_EXCL) == unix.O_CREAT|unix.O_EXCL:
		return r, unix.EEXIST
	case r.Dev >= 0:
		return r, 0
	case flags&unix.O_ACCMODE != unix.O_RDONLY || flags&unix.O_TRUNC != 0:
		return r, unix.EROFS
	case r.Etc >= 0:
		return r, 0
	}
	switch t.Initrd.Mode(r.Entry) & unix.S_IFMT {
	case unix.S_IFDIR:
		return r, 0
	case unix.S_IFLNK:
		return r, unix.ELOOP // O_NOFOLLOW on a link
	}
	if flags&unix.O_DIRECTORY != 0 {
		return r, unix.ENOTDIR
	}
	return r, 0
}
