package initrd

import "golang.org/x/sys/unix"

// Limits of Walk, as Linux has them.
const (
	MaxSymlinks = 40  // links followed in one walk (MAXSYMLINKS)
	NameMax     = 255 // bytes in one component (NAME_MAX)
)

// component returns the (k+1)th canonical component of entry idx's path.
func (a *Archive) component(idx, k int) []byte {
	t := a.tree()
	c := t.comps(idx)
	var comp []byte
	for range k + 1 {
		comp, _ = c.next()
	}
	return comp
}

// Child finds the entry called name in directory dir. name is one
// component: "", ".", ".." and names with a slash are never found.
//
// Context: kernel (no allocation, no pointer stores).
func (a *Archive) Child(dir int, name []byte) (int, bool) {
	if !a.IsDir(dir) || len(name) == 0 || isDot(name) || isDotDot(name) || indexSlash(name) >= 0 {
		return 0, false
	}
	// dir's subtree follows it, ordered by the component below dir first;
	// a child comes before its own subtree.
	d := int(a.entries[dir].depth)
	lo, hi := dir+1, int(a.entries[dir].next)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		c := compareBytes(name, a.component(mid, d))
		if c == 0 {
			if int(a.entries[mid].depth) == d+1 {
				return mid, true
			}
			c = -1
		}
		if c < 0 {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return 0, false
}

func indexSlash(b []byte) int {
	for i, c := range b {
		if c == '/' {
			return i
		}
	}
	return -1
}

// pending is a path still to walk: the rest of the caller's path (link < 0)
// or of a symbolic link's target, from off.
type pending struct {
	link int32
	off  uint16
}

// Walk looks path up as Linux's path walk does: from directory dir, or
// from the root if path is absolute, one component at a time, so ".."
// goes to the parent of where the walk is, and symbolic links are
// followed (relative ones from the directory holding them). A link in the
// last component is followed only if follow is set (not for lstat or
// O_NOFOLLOW), or if the path ends in a slash, which also requires a
// directory. It returns ENOENT, ENOTDIR, ELOOP or ENAMETOOLONG as Linux
// would, and 0 with the entry's index on success.
//
// Context: kernel (no allocation, no pointer stores).
func (a *Archive) Walk(dir int, path []byte, follow bool) (int, unix.Errno) {
	switch {
	case len(path) == 0:
		return 0, unix.ENOENT
	case len(path) >= PathMax:
		return 0, unix.ENAMETOOLONG
	case !a.IsDir(dir):
		return 0, unix.ENOTDIR
	}
	var stack [MaxSymlinks + 1]pending
	stack[0] = pending{link: -1}
	depth, links := 1, 0
	cur := dir
	if path[0] == '/' {
		cur = Root
	}
	for depth > 0 {
		top := &stack[depth-1]
		p := a.pendingPath(path, *top)
		comp, i := rawComp(p, 0)
		if comp == nil {
			depth--
			continue
		}
		top.off += uint16(i)
		switch {
		case isDot(comp):
			continue
		case isDotDot(comp):
			cur = a.Parent(cur)
			continue
		case len(comp) > NameMax:
			return 0, unix.ENAMETOOLONG
		}
		child, ok := a.Child(cur, comp)
		if !ok {
			return 0, unix.ENOENT
		}
		last, slash := a.lastComponent(path, stack[:depth])
		if a.Mode(child)&unix.S_IFMT == unix.S_IFLNK && (!last || follow || slash) {
			links++
			target := a.Data(child)
			switch {
			case links > MaxSymlinks || depth == len(stack):
				return 0, unix.ELOOP
			case len(target) == 0:
				return 0, unix.ENOENT
			case len(target) >= PathMax:
				return 0, unix.ENAMETOOLONG
			case target[0] == '/':
				cur = Root
			}
			stack[depth] = pending{link: int32(child)}
			depth++
			continue
		}
		if (!last || slash) && !a.IsDir(child) {
			return 0, unix.ENOTDIR
		}
		cur = child
	}
	return cur, 0
}

// pendingPath returns what is left of a pending path.
func (a *Archive) pendingPath(path []byte, p pending) []byte {
	if p.link >= 0 {
		path = a.Data(int(p.link))
	}
	if int(p.off) > len(path) {
		return nil
	}
	return path[p.off:]
}

// lastComponent reports whether no component is left in any pending path,
// and whether one of them still holds a slash: the path ended in one.
func (a *Archive) lastComponent(path []byte, stack []pending) (last, slash bool) {
	for _, p := range stack {
		rest := a.pendingPath(path, p)
		if comp, _ := rawComp(rest, 0); comp != nil {
			return false, false
		}
		slash = slash || len(rest) > 0
	}
	return true, slash
}

// Path writes the absolute path of entry idx ("/" for the root) at the end
// of buf and returns it, as getcwd needs. It returns false if buf is too
// short or idx is not an entry.
//
// Context: kernel (no allocation, no pointer stores).
func (a *Archive) Path(idx int, buf []byte) ([]byte, bool) {
	if !a.valid(idx) || len(buf) == 0 {
		return nil, false
	}
	n := len(buf)
	for i := idx; i != Root; i = a.Parent(i) {
		name := a.Name(i)
		if n < len(name)+1 {
			return nil, false
		}
		n -= len(name)
		copy(buf[n:], name)
		n--
		buf[n] = '/'
	}
	if n == len(buf) {
		n--
		buf[n] = '/'
	}
	return buf[n:], true
}
