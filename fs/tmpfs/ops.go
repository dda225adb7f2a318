package tmpfs

import "golang.org/x/sys/unix"

// Operations on names. Each takes what a Walk found; "." and ".." as the
// last component, and a trailing slash, get the errors Linux gives.

func isDots(name []byte) bool { return string(name) == "." || string(name) == ".." }

// checkNew reports why name cannot be made in dir.
func (fs *FS) checkNew(dir Ino, name []byte) unix.Errno {
	switch {
	case dir == None:
		return unix.ENOENT
	case len(name) == 0 || isDots(name):
		return unix.EEXIST
	case len(name) > NameMax:
		return unix.ENAMETOOLONG
	case !fs.isDir(dir):
		return unix.ENOTDIR
	case fs.inodes[dir].nlink == 0:
		return unix.ENOENT // the directory was removed
	}
	if _, ok := fs.lookup(dir, name); ok {
		return unix.EEXIST
	}
	return 0
}

// make creates an inode of mode named name in dir; data is a symbolic
// link's target.
func (fs *FS) make(dir Ino, name []byte, mode, uid, gid uint32, data []byte) (Ino, unix.Errno) {
	if e := fs.checkNew(dir, name); e != 0 {
		return None, e
	}
	ino, e := fs.newInode(mode, uid, gid)
	if e != 0 {
		return None, e
	}
	if _, e = fs.writeAt(&fs.inodes[ino], 0, data); e == 0 {
		e = fs.addEntry(dir, name, ino)
	}
	if e != 0 {
		fs.inodes[ino].nlink = 0
		fs.release(ino)
		return None, e
	}
	if mode&unix.S_IFMT == unix.S_IFDIR {
		fs.inodes[ino].nlink = 2
		fs.inodes[ino].parent = dir
		fs.inodes[dir].nlink++
	}
	return ino, 0
}

// Create makes an empty regular file.
//
// Context: kernel (no allocation, no pointer stores).
func (fs *FS) Create(dir Ino, name []byte, perm, uid, gid uint32) (Ino, unix.Errno) {
	return fs.make(dir, name, unix.S_IFREG|perm&0o7777, uid, gid, nil)
}

// Mknod makes a file that holds no data when made: a FIFO (S_IFIFO),
// the name of a path-bound unix socket (S_IFSOCK), or an empty regular
// file (S_IFREG).
//
// Context: kernel (no allocation, no pointer stores).
func (fs *FS) Mknod(w Walked, mode, uid, gid uint32) (Ino, unix.Errno) {
	switch mode & unix.S_IFMT {
	case unix.S_IFIFO, unix.S_IFSOCK, unix.S_IFREG:
	default:
		return None, unix.EPERM
	}
	return fs.make(w.Dir, w.Name, mode&(unix.S_IFMT|0o7777), uid, gid, nil)
}

// Mkdir makes an empty directory.
//
// Context: kernel (no allocation, no pointer stores).
func (fs *FS) Mkdir(w Walked, perm, uid, gid uint32) (Ino, unix.Errno) {
	return fs.make(w.Dir, w.Name, unix.S_IFDIR|perm&0o7777, uid, gid, nil)
}

// Symlink makes a symbolic link to target.
//
// Context: kernel (no allocation, no pointer stores).
func (fs *FS) Symlink(w Walked, target []byte, uid, gid uint32) (Ino, unix.Errno) {
	switch {
	case len(target) == 0:
		return None, unix.ENOENT
	case w.Slash && w.Ino == None:
		return None, unix.ENOENT
	}
	return fs.make(w.Dir, w.Name, unix.S_IFLNK|0o777, uid, gid, target)
}

// Link gives ino another name; directories cannot have two.
//
// Context: kernel (no allocation, no pointer stores).
func (fs *FS) Link(ino Ino, w Walked) unix.Errno {
	dir, name := w.Dir, w.Name
	if w.Slash && w.Ino == None {
		return unix.ENOENT
	}
	if e := fs.checkNew(dir, name); e != 0 {
		return e
	}
	n := &fs.inodes[ino]
	switch {
	case fs.isDir(ino):
		return unix.EPERM
	case n.nlink == 0:
		return unix.ENOENT
	}
	if e := fs.addEntry(dir, name, ino); e != 0 {
		return e
	}
	n.nlink++
	n.ctime = fs.env.Now()
	return 0
}

// Unlink removes a name that is not a directory's.
//
// Context: kernel (no allocation, no pointer stores).
func (fs *FS) Unlink(w Walked) unix.Errno {
	dir, name := w.Dir, w.Name
	if isDots(name) || len(name) == 0 {
		return unix.EISDIR
	}
	e, ok := fs.lookup(dir, name)
	switch {
	case !ok:
		return unix.ENOENT
	case fs.isDir(e.ino):
		return unix.EISDIR
	case w.Slash:
		return unix.ENOTDIR
	}
	fs.removeEntry(dir, e)
	fs.drop(e.ino)
	return 0
}

// Rmdir removes an empty directory.
//
// Context: kernel (no allocation, no pointer stores).
func (fs *FS) Rmdir(w Walked) unix.Errno {
	dir, name := w.Dir, w.Name
	switch {
	case len(name) == 0:
		return unix.EBUSY
	case string(name) == ".":
		return unix.EINVAL
	case string(name) == "..":
		return unix.ENOTEMPTY
	}
	e, ok := fs.lookup(dir, name)
	switch {
	case !ok:
		return unix.ENOENT
	case !fs.isDir(e.ino):
		return unix.ENOTDIR
	case fs.inodes[e.ino].nents > 0:
		return unix.ENOTEMPTY
	}
	fs.removeEntry(dir, e)
	fs.drop(e.ino)
	return 0
}

// drop removes one name of ino, which its entry no longer holds.
func (fs *FS) drop(ino Ino) {
	n := &fs.inodes[ino]
	if fs.isDir(ino) {
		fs.inodes[n.parent].nlink--
		n.nlink = 0
	} else {
		n.nlink--
	}
	n.ctime = fs.env.Now()
	fs.release(ino)
}

// Rename moves odir/oname to ndir/nname at once, replacing what nname
// names unless noreplace: a file by a file, a directory by a directory
// if the one replaced is empty.
//
// Context: kernel (no allocation, no pointer stores).
func (fs *FS) Rename(ow, nw Walked, noreplace bool) unix.Errno {
	odir, oname, ndir, nname := ow.Dir, ow.Name, nw.Dir, nw.Name
	switch {
	case isDots(oname) || len(oname) == 0:
		return unix.EBUSY
	case (isDots(nname) || len(nname) == 0) && noreplace:
		return unix.EEXIST
	case isDots(nname) || len(nname) == 0:
		return unix.EBUSY
	case len(nname) > NameMax:
		return unix.ENAMETOOLONG
	case fs.inodes[ndir].nlink == 0:
		return unix.ENOENT
	}
	// The checks in the order Linux makes them.
	src, ok := fs.lookup(odir, oname)
	if !ok {
		return unix.ENOENT
	}
	dst, replace := fs.lookup(ndir, nname)
	switch {
	case replace && noreplace:
		return unix.EEXIST
	case !fs.isDir(src.ino) && (ow.Slash || nw.Slash):
		return unix.ENOTDIR
	case fs.isDir(src.ino) && fs.within(ndir, src.ino):
		return unix.EINVAL // into itself
	case !replace:
	case fs.isDir(dst.ino) && fs.within(odir, dst.ino):
		return unix.ENOTEMPTY // over a directory holding the source
	case dst.ino == src.ino:
		return 0
	case fs.isDir(src.ino) && !fs.isDir(dst.ino):
		return unix.ENOTDIR
	case !fs.isDir(src.ino) && fs.isDir(dst.ino):
		return unix.EISDIR
	case fs.isDir(dst.ino) && fs.inodes[dst.ino].nents > 0:
		return unix.ENOTEMPTY
	}
	// Make room first: after it nothing can fail.
	if _, e := fs.room(ndir, nname); e != 0 {
		return e
	}
	if replace {
		fs.removeEntry(ndir, dst)
		fs.drop(dst.ino)
	}
	fs.removeEntry(odir, src)
	fs.addEntry(ndir, nname, src.ino)
	if fs.isDir(src.ino) && odir != ndir {
		fs.inodes[odir].nlink--
		fs.inodes[ndir].nlink++
		fs.inodes[src.ino].parent = ndir
	}
	fs.inodes[src.ino].ctime = fs.env.Now()
	return 0
}

// within reports whether directory d is dir or lies under it.
func (fs *FS) within(d, dir Ino) bool {
	for ; d != dir; d = fs.inodes[d].parent {
		if d == Root {
			return false
		}
	}
	return true
}
