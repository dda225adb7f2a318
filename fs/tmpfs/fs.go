// Package tmpfs is a writable file system held in memory: inodes in a
// fixed table, file data, symbolic link targets and directory entries in
// pages drawn from an Env (the kernel's frame allocator), within a size
// limit.
//
// Its operations run in kernel context: they never allocate on the Go heap
// and never store Go pointers after Init, so every reference between
// objects is an inode index or a page's physical address.
package tmpfs

import "golang.org/x/sys/unix"

// PageSize is the size of one page of file data.
const PageSize = 4096

// Env is where the file system's memory and time come from.
type Env interface {
	// AllocPage returns a page's address; its contents are undefined.
	AllocPage() (uint64, bool)
	FreePage(pa uint64)
	// Page views the page at pa.
	Page(pa uint64) *[PageSize]byte
	// Now is the time in nanoseconds since the Unix epoch.
	Now() int64
}

// Ino indexes the inode table.
type Ino int32

const (
	// None names no inode: a lookup that found nothing.
	None Ino = -1
	// Root is the file system's root directory.
	Root Ino = 0
)

// Inode is one file, directory or symbolic link. The zero value is a free
// slot.
type Inode struct {
	mode     uint32
	nlink    uint32
	uid, gid uint32
	opens    int32  // open file descriptions
	nents    int32  // directories: entries besides . and ..
	parent   Ino    // directories: the directory holding it
	depth    uint8  // index levels of the page tree
	root     uint64 // page tree (pages.go), 0 when empty
	pages    int64  // pages held, data and index
	size     int64  // bytes; directories: bytes of entry pages
	atime    int64
	mtime    int64
	ctime    int64
}

// FS is one tmpfs instance.
type FS struct {
	env    Env
	inodes []Inode
	limit  uint64 // pages it may hold
	used   uint64 // pages it holds
	nused  int    // inodes in use
}

// Init makes an empty file system with a root directory (mode 1777, as
// /tmp has), using inodes as its inode table and at most limit bytes of
// pages. It keeps a reference to env and inodes: call it before the Go
// runtime starts, or where pointer stores are allowed.
func (fs *FS) Init(env Env, inodes []Inode, limit uint64) {
	*fs = FS{env: env, inodes: inodes, limit: limit / PageSize}
	clear(inodes)
	now := env.Now()
	inodes[Root] = Inode{mode: unix.S_IFDIR | 0o1777, nlink: 2, parent: Root, atime: now, mtime: now, ctime: now}
	fs.nused = 1
}

// newInode claims a free inode of the given mode, owned by uid and gid.
func (fs *FS) newInode(mode, uid, gid uint32) (Ino, unix.Errno) {
	for i := range fs.inodes {
		if fs.inodes[i].mode == 0 {
			now := fs.env.Now()
			fs.inodes[i] = Inode{mode: mode, nlink: 1, uid: uid, gid: gid, atime: now, mtime: now, ctime: now}
			fs.nused++
			return Ino(i), 0
		}
	}
	return None, unix.ENOSPC
}

// release frees an inode and its pages once no name and no open file
// description refers to it.
func (fs *FS) release(ino Ino) {
	n := &fs.inodes[ino]
	if n.nlink > 0 || n.opens > 0 || ino == Root {
		return
	}
	fs.cutPages(n, 0)
	*n = Inode{}
	fs.nused--
}

// Close drops an open file description of ino (Open counted it); the last one frees an
// inode that has no names left.
//
// Context: kernel (no allocation, no pointer stores).
func (fs *FS) Close(ino Ino) {
	fs.inodes[ino].opens--
	fs.release(ino)
}

// Hold counts a reference to ino that is not an open file description
// (a working directory): until Close drops it, the inode stays, though
// its last name may go.
//
// Context: kernel (no allocation, no pointer stores).
func (fs *FS) Hold(ino Ino) { fs.inodes[ino].opens++ }

func (fs *FS) isDir(ino Ino) bool  { return fs.inodes[ino].mode&unix.S_IFMT == unix.S_IFDIR }
func (fs *FS) isLink(ino Ino) bool { return fs.inodes[ino].mode&unix.S_IFMT == unix.S_IFLNK }

// IsDir reports whether ino is a directory.
func (fs *FS) IsDir(ino Ino) bool { return fs.isDir(ino) }

// Mode returns ino's type and permission bits.
func (fs *FS) Mode(ino Ino) uint32 { return fs.inodes[ino].mode }

// Size returns ino's size in bytes.
func (fs *FS) Size(ino Ino) int64 { return fs.inodes[ino].size }

// touch sets the modification and change times of ino to now.
func (fs *FS) touch(ino Ino) {
	n := &fs.inodes[ino]
	n.mtime = fs.env.Now()
	n.ctime = n.mtime
}
