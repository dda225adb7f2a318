package tmpfs

import "golang.org/x/sys/unix"

// maxLinks is how many symbolic links one walk follows (Linux's
// MAXSYMLINKS).
const maxLinks = 40

// Last says what a Walk does with a symbolic link as the last component.
type Last uint8

const (
	// NoFollow leaves it, unless a slash follows it (lstat, O_NOFOLLOW).
	NoFollow Last = iota
	// Follow follows it (stat, open).
	Follow
	// Parent leaves it even before a slash: the call makes or removes
	// the name itself (mkdir, unlink, rename).
	Parent
)

// Walked is where a path led.
type Walked struct {
	Dir   Ino    // the directory holding the last component
	Name  []byte // the last component; empty when the path names Dir itself
	Ino   Ino    // what the path names, or None: then Dir and Name say where to create it
	Slash bool   // the path ended in a slash, so it must name a directory
	// Escape, when not nil, is a path that left the file system: a
	// symbolic link's absolute target, or ".." above the root. It is
	// absolute, or else relative to the directory the file system is
	// mounted on; Dir, Name and Ino are meaningless.
	Escape []byte
}

// Walk resolves path from directory start one component at a time,
// following symbolic links met on the way, and the last one as last
// says. scratch (PathMax bytes)
// holds the path as link targets are spliced in; Name and Escape point
// into it.
//
// Context: kernel (no allocation, no pointer stores).
func (fs *FS) Walk(start Ino, path []byte, last Last, scratch []byte) (Walked, unix.Errno) {
	if len(path) > len(scratch) {
		return Walked{}, unix.ENAMETOOLONG
	}
	// The path sits at the end of scratch so that a link's target can be
	// put in front of what follows it.
	p := scratch[len(scratch)-len(path):]
	copy(p, path)
	cur := start
	for links := 0; ; {
		i := 0
		for i < len(p) && p[i] == '/' {
			i++
		}
		if i == len(p) {
			return Walked{Dir: cur, Ino: cur}, 0
		}
		j := i
		for j < len(p) && p[j] != '/' {
			j++
		}
		comp, rest := p[i:j], p[j:]
		if !fs.isDir(cur) {
			return Walked{}, unix.ENOTDIR
		}
		if len(comp) > NameMax {
			return Walked{}, unix.ENAMETOOLONG
		}
		next := None
		switch {
		case string(comp) == ".":
			next = cur
		case string(comp) == "..":
			if cur == Root {
				return Walked{Escape: p[i:]}, 0
			}
			next = fs.inodes[cur].parent
		default:
			if e, ok := fs.lookup(cur, comp); ok {
				next = e.ino
			}
		}
		if onlySlashes(rest) {
			w := Walked{Dir: cur, Name: comp, Ino: next, Slash: len(rest) > 0}
			switch {
			case next == None || last == Parent:
				return w, 0
			case !fs.isLink(next) && w.Slash && !fs.isDir(next):
				return Walked{}, unix.ENOTDIR
			case !fs.isLink(next) || last == NoFollow && !w.Slash:
				return w, 0
			}
		}
		switch {
		case next == None:
			return Walked{}, unix.ENOENT
		case !fs.isLink(next):
			cur, p = next, rest
			continue
		}
		if links++; links > maxLinks {
			return Walked{}, unix.ELOOP
		}
		t := fs.inodes[next].size
		if t == 0 {
			return Walked{}, unix.ENOENT
		}
		// The target goes in front of rest (empty, or starting with a
		// slash), which ends where scratch ends.
		at := int64(len(scratch)-len(rest)) - t
		if at < 0 {
			return Walked{}, unix.ENAMETOOLONG
		}
		fs.readAt(&fs.inodes[next], 0, scratch[at:at+t])
		p = scratch[at:]
		if p[0] == '/' {
			return Walked{Escape: p}, 0
		}
	}
}

func onlySlashes(p []byte) bool {
	for _, c := range p {
		if c != '/' {
			return false
		}
	}
	return true
}

// Readlink copies the target of symbolic link ino into b, truncated to
// its length.
//
// Context: kernel (no allocation, no pointer stores).
func (fs *FS) Readlink(ino Ino, b []byte) (int, unix.Errno) {
	if !fs.isLink(ino) {
		return 0, unix.EINVAL
	}
	n := &fs.inodes[ino]
	b = b[:min(int64(len(b)), n.size)]
	fs.readAt(n, 0, b)
	return len(b), 0
}

// Path writes the path of directory ino from the root ("/" for the root
// itself) into b and returns its length; ENOENT if it was removed,
// ENAMETOOLONG if b is too short.
//
// Context: kernel (no allocation, no pointer stores).
func (fs *FS) Path(ino Ino, b []byte) (int, unix.Errno) {
	if fs.inodes[ino].nlink == 0 {
		return 0, unix.ENOENT
	}
	at := len(b)
	for cur := ino; cur != Root; cur = fs.inodes[cur].parent {
		name := fs.nameOf(fs.inodes[cur].parent, cur)
		if at < len(name)+1 {
			return 0, unix.ENAMETOOLONG
		}
		at -= len(name)
		copy(b[at:], name)
		at--
		b[at] = '/'
	}
	if at == len(b) {
		if len(b) == 0 {
			return 0, unix.ENAMETOOLONG
		}
		at--
		b[at] = '/'
	}
	return copy(b, b[at:]), 0
}
