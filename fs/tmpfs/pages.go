package tmpfs

import (
	"encoding/binary"

	"golang.org/x/sys/unix"
)

// Each inode's bytes live in a radix tree of pages, as page tables are
// built: an index page holds 512 page addresses, and a tree of depth d
// covers 512^d pages (depth 0: the root is the one data page). A missing
// page is a hole and reads as zeros.

const (
	fanout   = PageSize / 8
	maxDepth = 4
	// MaxFileSize is the largest size a file may have (256 TiB).
	MaxFileSize = int64(PageSize) << (9 * maxDepth)
)

// covers is the number of data pages a tree of depth d spans.
func covers(d uint8) int64 { return 1 << (9 * int64(d)) }

func (fs *FS) slot(pa uint64, i int64) uint64 {
	return binary.LittleEndian.Uint64(fs.env.Page(pa)[8*i:])
}

func (fs *FS) setSlot(pa uint64, i int64, v uint64) {
	binary.LittleEndian.PutUint64(fs.env.Page(pa)[8*i:], v)
}

// newPage takes a zeroed page within the limit for inode n.
func (fs *FS) newPage(n *Inode) (uint64, unix.Errno) {
	if fs.used >= fs.limit {
		return 0, unix.ENOSPC
	}
	pa, ok := fs.env.AllocPage()
	if !ok {
		return 0, unix.ENOSPC
	}
	clear(fs.env.Page(pa)[:])
	fs.used++
	n.pages++
	return pa, 0
}

func (fs *FS) freePage(n *Inode, pa uint64) {
	fs.env.FreePage(pa)
	fs.used--
	n.pages--
}

// page returns the address of data page idx of n, or 0 for a hole; with
// alloc it fills the hole (and the index pages above it) instead.
func (fs *FS) page(n *Inode, idx int64, alloc bool) (uint64, unix.Errno) {
	if n.root == 0 || idx >= covers(n.depth) {
		if !alloc {
			return 0, 0
		}
		for idx >= covers(n.depth) {
			if n.root != 0 {
				top, e := fs.newPage(n)
				if e != 0 {
					return 0, e
				}
				fs.setSlot(top, 0, n.root)
				n.root = top
			}
			n.depth++
		}
	}
	if n.root == 0 {
		pa, e := fs.newPage(n)
		if e != 0 {
			return 0, e
		}
		n.root = pa
	}
	pa := n.root
	for d := n.depth; d > 0; d-- {
		i := idx >> (9 * int64(d-1)) % fanout
		next := fs.slot(pa, i)
		if next == 0 {
			if !alloc {
				return 0, 0
			}
			var e unix.Errno
			if next, e = fs.newPage(n); e != 0 {
				return 0, e
			}
			fs.setSlot(pa, i, next)
		}
		pa = next
	}
	return pa, 0
}

// cutPages frees every data page of n at index from or above, and the
// index pages left empty.
func (fs *FS) cutPages(n *Inode, from int64) {
	if n.root != 0 && fs.cut(n, n.root, n.depth, 0, from) {
		n.root, n.depth = 0, 0
	}
}

// cut frees the pages at or above from in the subtree at pa (depth d,
// first page base) and reports whether the subtree is gone.
func (fs *FS) cut(n *Inode, pa uint64, d uint8, base, from int64) bool {
	if d == 0 {
		if base < from {
			return false
		}
		fs.freePage(n, pa)
		return true
	}
	per := covers(d - 1)
	empty := true
	for i := int64(0); i < fanout; i++ {
		child := fs.slot(pa, i)
		if child == 0 {
			continue
		}
		if base+(i+1)*per <= from || !fs.cut(n, child, d-1, base+i*per, from) {
			empty = false
			continue
		}
		fs.setSlot(pa, i, 0)
	}
	if empty {
		fs.freePage(n, pa)
	}
	return empty
}

// readAt copies n's bytes at off into b, holes as zeros; the caller keeps
// the range inside the file.
func (fs *FS) readAt(n *Inode, off int64, b []byte) {
	for len(b) > 0 {
		in := off % PageSize
		k := min(int64(len(b)), PageSize-in)
		pa, _ := fs.page(n, off/PageSize, false)
		if pa == 0 {
			clear(b[:k])
		} else {
			copy(b[:k], fs.env.Page(pa)[in:])
		}
		b, off = b[k:], off+k
	}
}

// writeAt copies b into n at off, filling holes; it returns the bytes
// written before the limit stopped it.
func (fs *FS) writeAt(n *Inode, off int64, b []byte) (int, unix.Errno) {
	done := 0
	for len(b) > 0 {
		in := off % PageSize
		k := min(int64(len(b)), PageSize-in)
		pa, e := fs.page(n, off/PageSize, true)
		if e != 0 {
			return done, e
		}
		copy(fs.env.Page(pa)[in:], b[:k])
		b, off, done = b[k:], off+k, done+int(k)
		n.size = max(n.size, off)
	}
	return done, 0
}

// ReadAt reads ino's bytes at off into b, up to the end of the file.
//
// Context: kernel (no allocation, no pointer stores).
func (fs *FS) ReadAt(ino Ino, off int64, b []byte) (int, unix.Errno) {
	n := &fs.inodes[ino]
	if fs.isDir(ino) {
		return 0, unix.EISDIR
	}
	if off < 0 {
		return 0, unix.EINVAL
	}
	if off >= n.size {
		return 0, 0
	}
	b = b[:min(int64(len(b)), n.size-off)]
	fs.readAt(n, off, b)
	n.atime = fs.env.Now()
	return len(b), 0
}

// WriteAt writes b into ino at off, extending the file; a write the size
// limit cuts short returns the bytes written (ENOSPC when none were).
//
// Context: kernel (no allocation, no pointer stores).
func (fs *FS) WriteAt(ino Ino, off int64, b []byte) (int, unix.Errno) {
	if fs.isDir(ino) {
		return 0, unix.EISDIR
	}
	if off < 0 {
		return 0, unix.EINVAL
	}
	if off >= MaxFileSize && len(b) > 0 {
		return 0, unix.EFBIG
	}
	b = b[:min(int64(len(b)), MaxFileSize-off)]
	done, e := fs.writeAt(&fs.inodes[ino], off, b)
	if done > 0 {
		fs.touch(ino)
		e = 0
	}
	return done, e
}

// Truncate sets ino's size: bytes past it are dropped (their pages
// freed) and a longer file reads zeros in the new part.
//
// Context: kernel (no allocation, no pointer stores).
func (fs *FS) Truncate(ino Ino, size int64) unix.Errno {
	n := &fs.inodes[ino]
	switch {
	case fs.isDir(ino):
		return unix.EISDIR
	case size < 0:
		return unix.EINVAL
	case size > MaxFileSize:
		return unix.EFBIG
	}
	if size < n.size {
		if in := size % PageSize; in != 0 {
			if pa, _ := fs.page(n, size/PageSize, false); pa != 0 {
				clear(fs.env.Page(pa)[in:])
			}
		}
		fs.cutPages(n, (size+PageSize-1)/PageSize)
	}
	n.size = size
	fs.touch(ino)
	return 0
}

// Allocate gives every page of [off, off+length) of ino memory, so that
// writes there cannot fail for space, and extends the file over them.
//
// Context: kernel (no allocation, no pointer stores).
func (fs *FS) Allocate(ino Ino, off, length int64) unix.Errno {
	n := &fs.inodes[ino]
	switch {
	case fs.isDir(ino):
		return unix.EISDIR
	case off < 0 || length <= 0:
		return unix.EINVAL
	case off > MaxFileSize-length:
		return unix.EFBIG
	}
	for idx := off / PageSize; idx <= (off+length-1)/PageSize; idx++ {
		if _, e := fs.page(n, idx, true); e != 0 {
			return e
		}
	}
	if off+length > n.size {
		n.size = off + length
		fs.touch(ino)
	}
	return 0
}
