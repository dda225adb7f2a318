package files

import (
	"golang.org/x/sys/unix"

	"warren.dev/boot/initrd"
	"warren.dev/fs/tmpfs"
)

// The file tree as paths see it (docs/files.md): a few device files and
// the served files at fixed paths, the tmpfs mounted at /tmp, and the
// read-only initrd everywhere else, resolved in that order.

const (
	// PathMax is Linux's PATH_MAX: the longest path a call takes, its NUL
	// included.
	PathMax = 4096
	// maxHops is how many symbolic links a resolution follows from one
	// part of the tree into another.
	maxHops = 8
	// TmpMount is where the tmpfs is mounted.
	TmpMount = "/tmp"
	// SelfExe is the link to the caller's executable.
	SelfExe = "/proc/self/exe"
)

// DevKind is what a device file does.
type DevKind uint8

const (
	DevNull DevKind = iota
	DevZero
	DevRandom
	DevCmdline
)

// Device is a character device served at a fixed path.
type Device struct {
	Path         string
	Kind         DevKind
	Major, Minor uint32
}

// Devices are the device files, found by path ahead of everything else.
var Devices = [...]Device{
	{"/dev/null", DevNull, 1, 3},
	{"/dev/zero", DevZero, 1, 5},
	{"/dev/random", DevRandom, 1, 8},
	{"/dev/urandom", DevRandom, 1, 9},
	{"/proc/cmdline", DevCmdline, 0, 0},
}

// Tree is the whole file tree. The kernel's is statically initialised
// with its own tables, so that nothing stores a pointer at run time.
type Tree struct {
	Initrd *initrd.Archive
	Served *Served
	Tmp    *tmpfs.FS
}

// Resolved is what a path names: exactly one of a device, a served file,
// an initrd entry or (InTmp) a place in the tmpfs.
type Resolved struct {
	Dev   int // index in Devices, or -1
	Entry int // initrd entry, or -1
	Etc   int // served file, or -1
	// InTmp: the path lies in /tmp, and Tmp is where the walk led (its
	// Ino None for a name to make, its Name in the caller's Scratch).
	InTmp bool
	Tmp   tmpfs.Walked
	Self  bool // the path is /proc/self/exe; Entry is the executable
}

// Dir is the directory a relative path starts from.
type Dir struct {
	Tmp   tmpfs.Ino // a directory in /tmp, or tmpfs.None
	Entry int       // a directory of the initrd (a descriptor's), or -1: Path
	Path  []byte    // a path in the read-only tree (the working directory's)
}

// Scratch holds a path while it is resolved; a tmpfs name found in it
// lives as long as it does.
type Scratch [PathMax]byte

// Lookup resolves path p from directory d; last says what to do with a
// symbolic link as the last component, and exe is what /proc/self/exe
// names. In /tmp a missing last component is no error: r.Tmp says where
// it would be. In the read-only tree, symbolic links are followed in the
// last component only, and ".." is taken lexically; in /tmp the walk is
// Linux's, component by component (tmpfs.FS.Walk).
//
// Context: kernel (no allocation, no pointer stores).
func (t *Tree) Lookup(d Dir, p []byte, last tmpfs.Last, exe []byte, scratch *Scratch) (Resolved, unix.Errno) {
	if len(p) == 0 {
		return Resolved{}, unix.ENOENT
	}
	var buf [PathMax]byte
	dir := d.Path
	if p[0] == '/' {
		if rest, ok := UnderTmp(p); ok {
			return t.walkTmp(tmpfs.Root, rest, last, exe, scratch, &buf)
		}
	} else {
		if d.Tmp != tmpfs.None {
			return t.walkTmp(d.Tmp, p, last, exe, scratch, &buf)
		}
		if d.Entry >= 0 {
			var ok bool
			if dir, ok = t.Initrd.Path(d.Entry, scratch[:]); !ok {
				return Resolved{}, unix.ENAMETOOLONG
			}
		}
		if rest, ok := UnderTmp(dir); ok {
			// Relative to a directory in /tmp: find it, then walk from it.
			r, e := t.walkTmp(tmpfs.Root, rest, tmpfs.Follow, exe, scratch, &buf)
			if e != 0 || !r.InTmp || r.Tmp.Ino == tmpfs.None {
				return Resolved{InTmp: true}, unix.ENOENT // the working directory was removed
			}
			return t.walkTmp(r.Tmp.Ino, p, last, exe, scratch, &buf)
		}
	}
	abs, ok := initrd.Resolve(dir, p, buf[:])
	if !ok {
		return Resolved{}, unix.ENAMETOOLONG
	}
	return t.resolveAbs(abs, last, exe, scratch, &buf)
}

// Resolve resolves path p from directory d to something that exists,
// following a last link if follow (r.Tmp.Name is not kept).
//
// Context: kernel (no allocation, no pointer stores).
func (t *Tree) Resolve(d Dir, p []byte, follow bool, exe []byte) (Resolved, unix.Errno) {
	var scratch Scratch
	last := tmpfs.NoFollow
	if follow {
		last = tmpfs.Follow
	}
	r, e := t.Lookup(d, p, last, exe, &scratch)
	if e == 0 && r.InTmp && r.Tmp.Ino == tmpfs.None {
		e = unix.ENOENT
	}
	// A copy without the name, which lives in scratch, on this stack
	// (built anew: r's slices keep scratch from staying on it).
	w := tmpfs.Walked{Dir: r.Tmp.Dir, Ino: r.Tmp.Ino, Slash: r.Tmp.Slash}
	return Resolved{Dev: r.Dev, Entry: r.Entry, Etc: r.Etc, InTmp: r.InTmp, Tmp: w, Self: r.Self}, e
}

// walkTmp walks path in the tmpfs from directory start; a path that
// leaves it is resolved again from the whole tree, in buf.
//
// Context: kernel (no allocation, no pointer stores).
func (t *Tree) walkTmp(start tmpfs.Ino, path []byte, last tmpfs.Last, exe []byte, scratch *Scratch, buf *[PathMax]byte) (Resolved, unix.Errno) {
	w, e := t.Tmp.Walk(start, path, last, scratch[:])
	if e != 0 || w.Escape == nil {
		return Resolved{Dev: -1, Entry: -1, Etc: -1, InTmp: true, Tmp: w}, e
	}
	abs, ok := escaped(w.Escape, buf)
	if !ok {
		return Resolved{}, unix.ENAMETOOLONG
	}
	return t.resolveAbs(abs, last, exe, scratch, buf)
}

// tmpMountDir is the directory a relative tmpfs escape is resolved
// against.
var tmpMountDir = [...]byte{'/', 't', 'm', 'p'}

// escaped turns a path that left the tmpfs (tmpfs.Walked.Escape, in
// scratch) into a clean absolute path in buf.
func escaped(esc []byte, buf *[PathMax]byte) ([]byte, bool) {
	return initrd.Resolve(tmpMountDir[:], esc, buf[:])
}

// resolveAbs resolves a clean absolute path (in buf) in the whole tree,
// following links from one part of it into another up to maxHops times.
//
// Context: kernel (no allocation, no pointer stores).
func (t *Tree) resolveAbs(abs []byte, last tmpfs.Last, exe []byte, scratch *Scratch, buf *[PathMax]byte) (Resolved, unix.Errno) {
	self := false
	for hops := 0; hops <= maxHops; hops++ {
		for i := range Devices {
			if string(abs) == Devices[i].Path {
				return Resolved{Dev: i, Entry: -1, Etc: -1}, 0
			}
		}
		if i, ok := t.Served.Lookup(abs); ok {
			return Resolved{Dev: -1, Entry: -1, Etc: i}, 0
		}
		if string(abs) == SelfExe {
			if abs = buf[:copy(buf[:], exe)]; len(abs) == 0 {
				return Resolved{}, unix.ENOENT
			}
			self = true
			continue
		}
		var ok bool
		if rest, in := UnderTmp(abs); in {
			w, e := t.Tmp.Walk(tmpfs.Root, rest, last, scratch[:])
			if e != 0 || w.Escape == nil {
				return Resolved{Dev: -1, Entry: -1, Etc: -1, InTmp: true, Tmp: w}, e
			}
			if abs, ok = escaped(w.Escape, buf); !ok {
				return Resolved{}, unix.ENAMETOOLONG
			}
			continue
		}
		idx, found := t.Initrd.Lookup(abs)
		if !found {
			return Resolved{}, unix.ENOENT
		}
		if last != tmpfs.Follow || t.Initrd.Mode(idx)&unix.S_IFMT != unix.S_IFLNK {
			return Resolved{Dev: -1, Entry: idx, Etc: -1, Self: self}, 0
		}
		// Resolve the target against the link's directory.
		dir, ok := t.Initrd.Path(t.Initrd.Parent(idx), scratch[:])
		if !ok {
			return Resolved{}, unix.ENAMETOOLONG
		}
		if abs, ok = initrd.Resolve(dir, t.Initrd.Data(idx), buf[:]); !ok {
			return Resolved{}, unix.ENAMETOOLONG
		}
	}
	return Resolved{}, unix.ELOOP
}

// UnderTmp returns the part of absolute path p below /tmp ("" for /tmp
// itself), and whether p lies there.
func UnderTmp(p []byte) ([]byte, bool) {
	if len(p) < len(TmpMount) || string(p[:len(TmpMount)]) != TmpMount {
		return nil, false
	}
	rest := p[len(TmpMount):]
	return rest, len(rest) == 0 || rest[0] == '/'
}

// ListsTmp reports whether the listing of initrd directory dir ends with
// "tmp", the tmpfs's mount point, as Linux lists a mount point: dir is
// the root and the initrd has no /tmp of its own (which it lists).
func (t *Tree) ListsTmp(dir int) bool {
	if dir != initrd.Root {
		return false
	}
	_, ok := t.Initrd.Lookup(tmpMountDir[:])
	return !ok
}

// Changed is where r leads in the tmpfs, for a call that makes, removes
// or changes a name (mkdir, unlink, rename, link, symlink, chmod, ...):
// EROFS outside /tmp, the tree's one writable part.
func (r Resolved) Changed() (tmpfs.Walked, unix.Errno) {
	if !r.InTmp {
		return tmpfs.Walked{}, unix.EROFS
	}
	return r.Tmp, 0
}

// Writable reports whether what r names may be written: a device or a
// file in /tmp; the rest of the tree is read-only (access(2)'s W_OK).
func (r Resolved) Writable() bool { return r.Dev >= 0 || r.InTmp }

// Readlink writes the target of the link r names (resolved without
// following it) into b, cut to fit, as readlink(2): /proc/self/exe's is
// exe; EINVAL for what is not a link.
//
// Context: kernel (no allocation, no pointer stores).
func (t *Tree) Readlink(r Resolved, exe, b []byte) (int, unix.Errno) {
	if r.InTmp {
		return t.Tmp.Readlink(r.Tmp.Ino, b)
	}
	target := exe
	if !r.Self {
		if r.Dev >= 0 || r.Etc >= 0 || t.Initrd.Mode(r.Entry)&unix.S_IFMT != unix.S_IFLNK {
			return 0, unix.EINVAL
		}
		target = t.Initrd.Data(r.Entry)
	}
	return copy(b, target), 0
}
