package tmpfs

import (
	"encoding/binary"

	"golang.org/x/sys/unix"
)

// A directory's entries live in its pages as runs of 32-byte cells that
// never cross a page: the first cell holds the inode (plus one; zero is a
// free cell), the name's length and the run's length in cells, then the
// name. Removing an entry zeroes its cells and moves nothing, so a
// position (the cell an entry starts at) stays valid while entries come
// and go: it is the directory offset getdents hands out.

const (
	cellSize     = 32
	cellsPerPage = PageSize / cellSize
	entryHeader  = 8
	// NameMax is the longest name an entry may have.
	NameMax = 255
)

func cellsFor(name []byte) int64 { return (entryHeader + int64(len(name)) + cellSize - 1) / cellSize }

// entry is one directory entry as found by a scan. Closures keep only
// its integers: storing its name (a slice) into a captured variable
// would be a pointer store, which kernel context forbids.
type entry struct {
	cell  int64 // first cell: the entry's position
	cells int64 // cells it spans
	ino   Ino
	name  []byte
}

// scan calls fn for each entry of dir at or after cell from, in position
// order, until fn returns false. Each page is walked from its start, so a
// position inside a run that has since changed is harmless.
func (fs *FS) scan(dir Ino, from int64, fn func(entry) bool) {
	n := &fs.inodes[dir]
	for p := from / cellsPerPage; p < n.size/PageSize; p++ {
		pa, _ := fs.page(n, p, false)
		pg := fs.env.Page(pa)
		for c := int64(0); c < cellsPerPage; {
			h := pg[c*cellSize:]
			ino := binary.LittleEndian.Uint32(h)
			if ino == 0 {
				c++
				continue
			}
			e := entry{cell: p*cellsPerPage + c, cells: int64(h[5]), ino: Ino(ino - 1), name: h[entryHeader : entryHeader+int(h[4])]}
			if e.cell >= from && !fn(e) {
				return
			}
			c += int64(h[5])
		}
	}
}

// lookup finds name in dir; the entry it returns has no name.
func (fs *FS) lookup(dir Ino, name []byte) (entry, bool) {
	found := entry{cell: -1}
	fs.scan(dir, 0, func(e entry) bool {
		if string(e.name) == string(name) {
			found.cell, found.cells, found.ino = e.cell, e.cells, e.ino
		}
		return found.cell < 0
	})
	return found, found.cell >= 0
}

// nameOf finds the name of ino in dir.
func (fs *FS) nameOf(dir, ino Ino) []byte {
	cell := int64(-1)
	fs.scan(dir, 0, func(e entry) bool {
		if e.ino == ino {
			cell = e.cell
		}
		return cell < 0
	})
	if cell < 0 {
		return nil
	}
	pa, _ := fs.page(&fs.inodes[dir], cell/cellsPerPage, false)
	h := fs.env.Page(pa)[cell%cellsPerPage*cellSize:]
	return h[entryHeader : entryHeader+int(h[4])]
}

// room finds the first free run of cells for name in dir, adding a page
// when none is free; it changes no entry, so a failure leaves dir as it
// was.
func (fs *FS) room(dir Ino, name []byte) (int64, unix.Errno) {
	n := &fs.inodes[dir]
	need := cellsFor(name)
	pages := n.size / PageSize
	for p := int64(0); p < pages; p++ {
		pa, _ := fs.page(n, p, false)
		pg := fs.env.Page(pa)
		run := int64(0)
		for c := int64(0); c < cellsPerPage; {
			h := pg[c*cellSize:]
			if ino := binary.LittleEndian.Uint32(h); ino != 0 {
				run = 0
				c += int64(h[5])
				continue
			}
			run++
			c++
			if run == need {
				return p*cellsPerPage + c - need, 0
			}
		}
	}
	if _, e := fs.page(n, pages, true); e != 0 {
		return 0, e
	}
	n.size += PageSize
	return pages * cellsPerPage, 0
}

// addEntry links ino into dir under name.
func (fs *FS) addEntry(dir Ino, name []byte, ino Ino) unix.Errno {
	cell, e := fs.room(dir, name)
	if e != 0 {
		return e
	}
	n := &fs.inodes[dir]
	pa, _ := fs.page(n, cell/cellsPerPage, false)
	h := fs.env.Page(pa)[cell%cellsPerPage*cellSize:]
	binary.LittleEndian.PutUint32(h, uint32(ino)+1)
	h[4], h[5] = byte(len(name)), byte(cellsFor(name))
	copy(h[entryHeader:], name)
	n.nents++
	fs.touch(dir)
	return 0
}

// removeEntry clears the entry at cell of dir.
func (fs *FS) removeEntry(dir Ino, e entry) {
	n := &fs.inodes[dir]
	pa, _ := fs.page(n, e.cell/cellsPerPage, false)
	at := e.cell % cellsPerPage * cellSize
	clear(fs.env.Page(pa)[at : at+e.cells*cellSize])
	n.nents--
	fs.touch(dir)
}

// dots spells "." and "..": slices of it are the names ReadDir reports.
var dots = [2]byte{'.', '.'}

// DirEntry is one entry ReadDir reports: Next is the offset of the entry
// after it.
type DirEntry struct {
	Ino  uint64
	Next int64
	Type uint8
	Name []byte
}

// ReadDir calls fn for the entries of dir from offset off ("." at 0, ".."
// at 1, then entries by position) until fn returns false, and returns the
// offset to continue from: that of the first entry fn refused.
//
// Context: kernel (no allocation, no pointer stores).
func (fs *FS) ReadDir(dir Ino, off int64, fn func(DirEntry) bool) int64 {
	for ; off < 2; off++ {
		ino := dir
		if off == 1 {
			ino = fs.inodes[dir].parent
		}
		if !fn(DirEntry{Ino: InodeNumber(ino), Next: off + 1, Type: unix.DT_DIR, Name: dots[:off+1]}) {
			return off
		}
	}
	fs.scan(dir, off-2, func(e entry) bool {
		next := e.cell + cellsFor(e.name) + 2
		if !fn(DirEntry{Ino: InodeNumber(e.ino), Next: next, Type: fs.dtype(e.ino), Name: e.name}) {
			return false
		}
		off = next
		return true
	})
	return off
}

// dtype is the d_type of ino.
func (fs *FS) dtype(ino Ino) uint8 {
	switch fs.inodes[ino].mode & unix.S_IFMT {
	case unix.S_IFDIR:
		return unix.DT_DIR
	case unix.S_IFLNK:
		return unix.DT_LNK
	case unix.S_IFSOCK:
		return unix.DT_SOCK
	case unix.S_IFIFO:
		return unix.DT_FIFO
	}
	return unix.DT_REG
}
