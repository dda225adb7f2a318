package tmpfs

import "golang.org/x/sys/unix"

// Open opens what a Walk found (walked as OpenLast and OpenAgain say)
// with open(2)'s flags (O_CREAT, O_EXCL, O_TRUNC, O_DIRECTORY), creating
// a regular file of permissions perm when asked, and counts the open
// file description (Close drops it).
//
// Context: kernel (no allocation, no pointer stores).
func (fs *FS) Open(w Walked, flags int, perm, uid, gid uint32) (Ino, unix.Errno) {
	ino := w.Ino
	writes := flags&unix.O_ACCMODE != unix.O_RDONLY
	switch {
	case ino == None && flags&unix.O_CREAT == 0:
		return None, unix.ENOENT
	case ino == None && w.Slash: // through a link to "name/": a directory, which open does not make
		return None, unix.EISDIR
	case ino == None:
		var e unix.Errno
		if ino, e = fs.Create(w.Dir, w.Name, perm, uid, gid); e != 0 {
			return None, e
		}
	case flags&(unix.O_CREAT|unix.O_EXCL) == unix.O_CREAT|unix.O_EXCL:
		return None, unix.EEXIST
	case fs.isLink(ino):
		return None, unix.ELOOP
	case fs.inodes[ino].mode&unix.S_IFMT == unix.S_IFSOCK:
		return None, unix.ENXIO // a unix socket's name: it is connected to, not opened
	case fs.isDir(ino) && (writes || flags&unix.O_CREAT != 0):
		return None, unix.EISDIR
	case !fs.isDir(ino) && flags&unix.O_DIRECTORY != 0:
		return None, unix.ENOTDIR
	case flags&unix.O_TRUNC != 0 && writes:
		fs.Truncate(ino, 0)
	}
	fs.inodes[ino].opens++
	return ino, 0
}

// OpenLast is how an open with flags first walks its last component:
// with O_CREAT, Linux looks at the name before following it.
func OpenLast(flags int) Last {
	switch {
	case flags&unix.O_CREAT != 0:
		return Parent
	case flags&unix.O_NOFOLLOW != 0:
		return NoFollow
	}
	return Follow
}

// OpenAgain checks what the first walk of an open with flags (OpenLast)
// found: a trailing slash with O_CREAT is EISDIR, and a link there is
// followed by a second walk (Follow) unless O_EXCL or O_NOFOLLOW, to the
// name to create if it dangles.
//
// Context: kernel (no allocation, no pointer stores).
func (fs *FS) OpenAgain(w Walked, flags int) (bool, unix.Errno) {
	if flags&unix.O_CREAT == 0 {
		return false, 0
	}
	if w.Slash && !isDots(w.Name) {
		return false, unix.EISDIR
	}
	return w.Ino != None && fs.isLink(w.Ino) && flags&(unix.O_EXCL|unix.O_NOFOLLOW) == 0, 0
}
