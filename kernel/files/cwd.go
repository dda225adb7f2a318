package files

import (
	"golang.org/x/sys/unix"

	"warren.dev/fs/tmpfs"
)

// Cwd is a working directory, one per process, as on Linux. In /tmp it is
// a tmpfs directory it holds (tmpfs.FS.Hold), as Linux holds a dentry: it
// has no length limit (a relative chdir goes as deep as the tree),
// follows renames, and a removed one stays, empty, until the next chdir.
// In the read-only tree, whose paths are the initrd's, it is a path.
//
// The zero Cwd is not ready: Start makes one.
type Cwd struct {
	path [PathMax]byte
	n    int
	tmp  tmpfs.Ino // the directory in /tmp, or tmpfs.None
}

// Start makes c the directory at path p of the read-only tree, holding
// nothing.
func (c *Cwd) Start(p []byte) {
	c.tmp = tmpfs.None
	c.n = copy(c.path[:], p)
}

// Dir is c as the start of a relative path.
func (c *Cwd) Dir() Dir { return Dir{Tmp: c.tmp, Entry: -1, Path: c.path[:c.n]} }

// SetPath makes c the directory at path d of the read-only tree.
//
// Context: kernel (no allocation, no pointer stores).
func (c *Cwd) SetPath(fs *tmpfs.FS, d []byte) {
	c.Drop(fs)
	c.n = copy(c.path[:], d)
}

// SetTmp makes c tmpfs directory ino.
//
// Context: kernel (no allocation, no pointer stores).
func (c *Cwd) SetTmp(fs *tmpfs.FS, ino tmpfs.Ino) {
	fs.Hold(ino)
	c.Drop(fs)
	c.tmp = ino
}

// Inherit makes c what p is: a child's working directory at its start.
//
// Context: kernel (no allocation, no pointer stores).
func (c *Cwd) Inherit(fs *tmpfs.FS, p *Cwd) {
	c.Drop(fs)
	c.n = copy(c.path[:], p.path[:p.n])
	if p.tmp != tmpfs.None {
		fs.Hold(p.tmp)
		c.tmp = p.tmp
	}
}

// Drop lets go of c's directory in /tmp.
//
// Context: kernel (no allocation, no pointer stores).
func (c *Cwd) Drop(fs *tmpfs.FS) {
	if c.tmp != tmpfs.None {
		fs.Close(c.tmp)
		c.tmp = tmpfs.None
	}
}

// Chdir makes the directory r names c's: ENOTDIR for what is not one.
//
// Context: kernel (no allocation, no pointer stores).
func (t *Tree) Chdir(c *Cwd, r Resolved) unix.Errno {
	switch {
	case r.InTmp && t.Tmp.IsDir(r.Tmp.Ino):
		c.SetTmp(t.Tmp, r.Tmp.Ino)
	case r.Dev >= 0 || r.Etc >= 0 || r.InTmp || !t.Initrd.IsDir(r.Entry):
		return unix.ENOTDIR
	default:
		var b [PathMax]byte
		d, ok := t.Initrd.Path(r.Entry, b[:])
		if !ok {
			return unix.ENAMETOOLONG
		}
		c.SetPath(t.Tmp, d)
	}
	return 0
}

// Getcwd writes c's absolute path and a NUL into b and returns their
// length, as getcwd(2): ENAMETOOLONG beyond PATH_MAX, as Linux; ENOENT
// once the directory is removed.
//
// Context: kernel (no allocation, no pointer stores).
func (c *Cwd) Getcwd(fs *tmpfs.FS, b *[PathMax]byte) (int, unix.Errno) {
	n := copy(b[:], c.path[:c.n])
	if c.tmp != tmpfs.None {
		var e unix.Errno
		if n, e = tmpPath(fs, c.tmp, b[:PathMax-1]); e != 0 {
			return 0, e
		}
	} else if n == PathMax {
		return 0, unix.ENAMETOOLONG
	}
	b[n] = 0
	return n + 1, 0
}

// tmpPath writes the absolute path of tmpfs directory ino into b.
//
// Context: kernel (no allocation, no pointer stores).
func tmpPath(fs *tmpfs.FS, ino tmpfs.Ino, b []byte) (int, unix.Errno) {
	n := copy(b, TmpMount)
	k, e := fs.Path(ino, b[n:])
	if e != 0 {
		return 0, e
	}
	if k == 1 { // the root: "/tmp", not "/tmp/"
		k = 0
	}
	return n + k, 0
}
