// Package initrd indexes a newc ("070701") cpio archive held in memory, the
// initial file system Warren's boot loader passes as a module, and serves
// it read-only: lookup by path, stat, file data and directory listing.
//
// Nothing here allocates. The caller sizes the entry storage with Count and
// hands it to Init, which may run in kmain before the Go runtime exists.
// Entries are sorted by path so a directory's subtree follows it; the root
// directory is always entry 0, and directories that paths imply but the
// archive leaves out are added. Entries are named by their index, an
// integer the kernel can keep in long-lived state (a file descriptor, the
// working directory).
//
// Walk is the path lookup of openat and stat: it follows symbolic links and
// reports Linux errnos. Lookup and Resolve work on paths lexically; Stat,
// Data, ReadDir and EncodeDirent64 serve fstat, read and getdents64.
package initrd

import (
	"math"

	"golang.org/x/sys/unix"
)

// Entry is the storage for one file of the index. Its fields are private:
// read it through the Archive.
type Entry struct {
	nameOff            uint32 // the name as spelled in the archive
	nameLen            uint16
	depth              uint16 // how many canonical components of the name are this entry's path
	dataOff, size      uint32
	mode, uid, gid     uint32
	mtime, nlink       uint32
	ino                uint32 // from the header: only to match hard links
	devMajor, devMinor uint32
	rdevMajor          uint32
	rdevMinor          uint32
	parent, next       int32 // the parent directory; the first entry past the subtree
	link               int32 // the entry whose data and inode this one shares
	flags              uint8
}

const (
	flagDotDot  = 1 << iota // the name has a ".." component
	flagImplied             // a directory the archive does not list
)

// Archive is the index. The zero value is an empty archive; Init fills it.
type Archive struct {
	ar      []byte
	entries []Entry
}

// Len returns the number of entries, implied directories included.
func (a *Archive) Len() int { return len(a.entries) }

// Count checks the archive and returns how many entries Init needs: the
// records, the root and an upper bound on the directories to be implied
// (exact when each directory comes before its contents, as find(1) and
// u-root write them).
//
// Context: kernel (no allocation, no pointer stores).
func Count(archive []byte) (int, error) {
	if uint64(len(archive)) > math.MaxUint32 {
		return 0, ErrTooLarge
	}
	n := 1 // the root, in case the archive lacks it
	var prev comps
	prevDepth := 0
	rd := reader{ar: archive}
	for {
		r, ok, err := rd.next()
		if err != nil {
			return 0, err
		}
		if !ok {
			return n, nil
		}
		cur := newComps(r.name)
		depth := depthOf(r.name, cur.dotdot)
		// A missing ancestor is first needed by a record that does not
		// share it with the record before.
		shared := commonDepth(prev, prevDepth, cur, depth)
		n += 1 + max(0, depth-1-shared)
		prev, prevDepth = cur, depth
	}
}

// Init indexes archive into entries, which needs at least Count(archive)
// elements. Later records replace earlier ones of the same path, as when
// Linux unpacks concatenated archives. Hard links (regular files sharing an
// inode number with nlink > 1, whose data newc carries once) share their
// data and inode.
//
// Init allocates nothing and never panics, but it stores views of archive
// and entries (pointers) in a: call it from kmain, before the Go runtime
// runs, or on an Archive that lives on the stack. On error a is left
// empty.
func (a *Archive) Init(archive []byte, entries []Entry) error {
	*a = Archive{}
	if uint64(len(archive)) > math.MaxUint32 {
		return ErrTooLarge
	}
	if len(entries) > math.MaxInt32 {
		entries = entries[:math.MaxInt32]
	}
	n := 0
	rd := reader{ar: archive}
	for {
		r, ok, err := rd.next()
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		if n == len(entries) {
			return ErrNoSpace
		}
		entries[n] = entryOf(&r)
		n++
	}
	t := tree{ar: archive, e: entries}
	n, err := t.build(n)
	if err != nil {
		return err
	}
	a.ar, a.entries = archive, entries[:n]
	return nil
}

func entryOf(r *record) Entry {
	e := Entry{
		nameOff: uint32(r.nameOff), nameLen: uint16(len(r.name)),
		dataOff: uint32(r.dataOff), size: uint32(r.size),
		mode: r.mode, uid: r.uid, gid: r.gid, mtime: r.mtime, nlink: r.nlink,
		ino: r.ino, devMajor: r.devMajor, devMinor: r.devMinor,
		rdevMajor: r.rdevMajor, rdevMinor: r.rdevMinor,
	}
	if hasDotDot(r.name) {
		e.flags |= flagDotDot
	}
	e.depth = uint16(depthOf(r.name, e.flags&flagDotDot != 0))
	switch r.mode & unix.S_IFMT {
	case unix.S_IFREG, unix.S_IFLNK:
	default:
		e.size = 0 // only files and links have data
	}
	return e
}
