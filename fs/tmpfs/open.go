package tmpfs

import "golang.org/x/sys/unix"

// Open opens what a Walk found with open(2)'s flags (O_CREAT, O_EXCL,
// O_TRUNC, O_DIRECTORY; the walk has applied O_NOFOLLOW), creating a
// regular file of permissions perm when asked, and counts the open file
// description (Close drops it).
//
// Context: kernel (no allocation, no pointer stores).
func (fs *FS) Open(w Walked, flags int, perm, uid, gid uint32) (Ino, unix.Errno) {
	ino := w.Ino
	writes := flags&unix.O_ACCMODE != unix.O_RDONLY
	switch {
	case ino == None && flags&unix.O_CREAT == 0:
		return None, unix.ENOENT
	case ino == None:
		var e unix.Errno
		if ino, e = fs.Create(w.Dir, w.Name, perm, uid, gid); e != 0 {
			return None, e
		}
	case flags&(unix.O_CREAT|unix.O_EXCL) == unix.O_CREAT|unix.O_EXCL:
		return None, unix.EEXIST
	case fs.isLink(ino):
		return None, unix.ELOOP
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

// WalkOpen walks path for an open with flags. With O_CREAT the last
// component is looked at before it is followed, as Linux does: a
// trailing slash is EISDIR, and O_EXCL (like O_NOFOLLOW) stops at a
// link there; otherwise a link is followed, to the name to create when
// it dangles.
//
// Context: kernel (no allocation, no pointer stores).
func (fs *FS) WalkOpen(start Ino, path []byte, flags int, scratch []byte) (Walked, unix.Errno) {
	if flags&unix.O_CREAT == 0 {
		last := Follow
		if flags&unix.O_NOFOLLOW != 0 {
			last = NoFollow
		}
		return fs.Walk(start, path, last, scratch)
	}
	w, e := fs.Walk(start, path, Parent, scratch)
	switch {
	case e != 0 || w.Escape != nil:
		return w, e
	case w.Slash && !isDots(w.Name):
		return Walked{}, unix.EISDIR
	case w.Ino == None || !fs.isLink(w.Ino) || flags&(unix.O_EXCL|unix.O_NOFOLLOW) != 0:
		return w, 0
	}
	return fs.Walk(start, path, Follow, scratch)
}
