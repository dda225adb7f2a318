package initrd

import (
	"math"

	"golang.org/x/sys/unix"
)

// Root is the index of the root directory.
const Root = 0

func (a *Archive) valid(idx int) bool { return idx >= 0 && idx < len(a.entries) }

func (a *Archive) tree() tree { return tree{ar: a.ar, e: a.entries} }

// Lookup finds the entry of path. Any spelling works: leading slashes, "."
// and duplicate slashes are ignored and ".." is applied lexically, from the
// root (so resolve a relative path against the working directory with
// Resolve first). Symbolic links are not followed. The cost is linear in
// the length of path, times the depth of the tree, unless path holds ".."
// components, which make it quadratic; Resolve removes them.
//
// Context: kernel (no allocation, no pointer stores).
func (a *Archive) Lookup(path []byte) (idx int, ok bool) {
	t := a.tree()
	q := newComps(path)
	lo, hi := 0, len(a.entries)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		c := comparePaths(q, math.MaxInt, t.comps(mid), int(a.entries[mid].depth))
		switch {
		case c == 0:
			return mid, true
		case c < 0:
			hi = mid
		default:
			lo = mid + 1
		}
	}
	return 0, false
}

// Stat is what Linux's stat(2) reports of an entry, less the device and
// block fields the caller knows.
type Stat struct {
	Ino      uint64 // unique per file; hard links share it
	Mode     uint32 // type (S_IFMT) and permission bits
	Nlink    uint32
	UID, GID uint32
	Rdev     uint64 // device number of a device file, as Linux encodes it
	Size     int64  // bytes of data; the target's length for a link
	Mtime    int64  // seconds since 1970
}

// Stat returns the metadata of entry idx (the zero Stat for a bad index).
// Archive inode numbers are only used to find hard links: the index gives
// each file its own.
//
// Context: kernel (no allocation, no pointer stores).
func (a *Archive) Stat(idx int) Stat {
	if !a.valid(idx) {
		return Stat{}
	}
	e := &a.entries[idx]
	l := &a.entries[e.link]
	return Stat{
		Ino:   uint64(e.link) + 1,
		Mode:  e.mode,
		Nlink: l.nlink,
		UID:   e.uid,
		GID:   e.gid,
		Rdev:  unix.Mkdev(e.rdevMajor, e.rdevMinor),
		Size:  int64(l.size),
		Mtime: int64(e.mtime),
	}
}

// Mode returns the type and permission bits of entry idx, or 0.
//
// Context: kernel (no allocation, no pointer stores).
func (a *Archive) Mode(idx int) uint32 {
	if !a.valid(idx) {
		return 0
	}
	return a.entries[idx].mode
}

// IsDir reports whether entry idx is a directory.
//
// Context: kernel (no allocation, no pointer stores).
func (a *Archive) IsDir(idx int) bool { return a.Mode(idx)&unix.S_IFMT == unix.S_IFDIR }

// Data returns the bytes of a regular file, or the target of a symbolic
// link; nil for anything else. It views the archive: do not write to it.
//
// Context: kernel (no allocation, no pointer stores).
func (a *Archive) Data(idx int) []byte {
	if !a.valid(idx) {
		return nil
	}
	l := &a.entries[a.entries[idx].link]
	if l.size == 0 {
		return nil
	}
	return a.ar[l.dataOff : l.dataOff+l.size : l.dataOff+l.size]
}

// Parent returns the directory holding entry idx; the root is its own
// parent.
//
// Context: kernel (no allocation, no pointer stores).
func (a *Archive) Parent(idx int) int {
	if !a.valid(idx) || idx == Root {
		return Root
	}
	return int(a.entries[idx].parent)
}

// Name returns the last component of entry idx's path, as spelled in the
// archive; empty for the root.
//
// Context: kernel (no allocation, no pointer stores).
func (a *Archive) Name(idx int) []byte {
	if !a.valid(idx) {
		return nil
	}
	if a.entries[idx].depth == 0 {
		return nil
	}
	return a.component(idx, int(a.entries[idx].depth)-1)
}

// DirEntry is one entry of a directory listing.
type DirEntry struct {
	Ino  uint64
	Type uint8  // the DT_* value of getdents64
	Name []byte // views the archive (or a static "." or ".."): do not write
	Next int64  // the cookie of the entry after this one
}

var dots = [2]byte{'.', '.'}

// ReadDir lists directory dir from cookie: "." is cookie 0, ".." cookie 1,
// and then each entry of the directory in order. It calls visit for each
// entry until visit returns false, which leaves that entry unconsumed, and
// returns the cookie to resume from. Cookies stay valid for the archive's
// life, so they can be d_off values and file offsets. Past the last entry
// ReadDir visits nothing and returns the cookie unchanged; so it does for
// a cookie below 0 or an entry that is not a directory.
//
// Context: kernel (no allocation, no pointer stores).
func (a *Archive) ReadDir(dir int, cookie int64, visit func(DirEntry) bool) int64 {
	if !a.IsDir(dir) || cookie < 0 {
		return cookie
	}
	end := a.DirEnd(dir)
	if cookie >= end {
		return cookie
	}
	first := int64(dir) + 1 + 2 // cookie of the first child
	if cookie == 0 {
		if !visit(DirEntry{Ino: a.Stat(dir).Ino, Type: unix.DT_DIR, Name: dots[:1], Next: 1}) {
			return 0
		}
		cookie = 1
	}
	if cookie == 1 {
		if !visit(DirEntry{Ino: a.Stat(a.Parent(dir)).Ino, Type: unix.DT_DIR, Name: dots[:2], Next: first}) {
			return 1
		}
		cookie = first
	}
	i := int(max(cookie, first) - 2)
	if i < int(end-2) {
		i = a.childAt(dir, i)
	}
	for i < int(end-2) {
		e := &a.entries[i]
		next := int(e.next)
		if !visit(DirEntry{
			Ino:  a.Stat(i).Ino,
			Type: uint8((e.mode & unix.S_IFMT) >> 12),
			Name: a.Name(i),
			Next: int64(next) + 2,
		}) {
			return int64(i) + 2
		}
		i = next
	}
	return end
}

// childAt returns the first child of dir at or after entry i, which lies
// in dir's subtree: i itself if dir is its parent, otherwise the sibling
// after the child holding i.
// DirEnd is the cookie ReadDir returns once it has visited every entry of
// directory dir.
func (a *Archive) DirEnd(dir int) int64 { return int64(a.entries[dir].next) + 2 }

func (a *Archive) childAt(dir, i int) int {
	c := i
	for int(a.entries[c].parent) != dir {
		c = int(a.entries[c].parent)
	}
	if c != i {
		return int(a.entries[c].next)
	}
	return c
}
