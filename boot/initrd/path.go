package initrd

// Paths are compared by their canonical components, computed lazily from
// the bytes as given: empty and "." components are skipped, and ".." removes
// the component before it (at the root it is dropped, as in a lookup of
// "/.."). This lets names in the archive, and lookups, be views of their
// original bytes however they are spelled: "./a//b/../c" and "/a/c" are the
// same path.

// comps iterates over the canonical components of a path.
type comps struct {
	p      []byte
	i      int
	dotdot bool // p holds a ".." component, so components may be cancelled
}

func newComps(p []byte) comps {
	return comps{p: p, dotdot: hasDotDot(p)}
}

// next returns the next canonical component.
func (c *comps) next() ([]byte, bool) {
	for {
		comp, i := rawComp(c.p, c.i)
		c.i = i
		switch {
		case comp == nil:
			return nil, false
		case isDot(comp) || isDotDot(comp):
		case c.dotdot && cancelled(c.p, i):
		default:
			return comp, true
		}
	}
}

// rawComp returns the component of p at or after i (skipping slashes) and
// the index after it; comp is nil when none is left.
func rawComp(p []byte, i int) (comp []byte, next int) {
	for i < len(p) && p[i] == '/' {
		i++
	}
	if i == len(p) {
		return nil, i
	}
	j := i
	for j < len(p) && p[j] != '/' {
		j++
	}
	return p[i:j], j
}

// cancelled reports whether a ".." after index i removes the component that
// ends at i: whether, counting on, ".." components ever outnumber names.
func cancelled(p []byte, i int) bool {
	depth := 0
	for {
		comp, j := rawComp(p, i)
		i = j
		switch {
		case comp == nil:
			return false
		case isDotDot(comp):
			depth--
			if depth < 0 {
				return true
			}
		case !isDot(comp):
			depth++
		}
	}
}

func hasDotDot(p []byte) bool {
	for i := 0; ; {
		comp, j := rawComp(p, i)
		if comp == nil {
			return false
		}
		if isDotDot(comp) {
			return true
		}
		i = j
	}
}

func isDot(c []byte) bool    { return len(c) == 1 && c[0] == '.' }
func isDotDot(c []byte) bool { return len(c) == 2 && c[0] == '.' && c[1] == '.' }

// depthOf counts the canonical components of p.
func depthOf(p []byte, dotdot bool) int {
	c := comps{p: p, dotdot: dotdot}
	n := 0
	for {
		if _, ok := c.next(); !ok {
			return n
		}
		n++
	}
}

// comparePaths orders the first na canonical components of a against the
// first nb of b: component by component, bytewise, a path before its
// descendants. So a directory's subtree follows it contiguously.
func comparePaths(a comps, na int, b comps, nb int) int {
	for k := 0; ; k++ {
		x, okx := nextUpTo(&a, k, na)
		y, oky := nextUpTo(&b, k, nb)
		switch {
		case !okx && !oky:
			return 0
		case !okx:
			return -1
		case !oky:
			return 1
		}
		if c := compareBytes(x, y); c != 0 {
			return c
		}
	}
}

// commonDepth counts the leading canonical components a and b share, up to
// na and nb components.
func commonDepth(a comps, na int, b comps, nb int) int {
	for k := 0; ; k++ {
		x, okx := nextUpTo(&a, k, na)
		y, oky := nextUpTo(&b, k, nb)
		if !okx || !oky || compareBytes(x, y) != 0 {
			return k
		}
	}
}

func nextUpTo(c *comps, k, n int) ([]byte, bool) {
	if k >= n {
		return nil, false
	}
	return c.next()
}

func compareBytes(a, b []byte) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			if a[i] < b[i] {
				return -1
			}
			return 1
		}
	}
	switch {
	case len(a) < len(b):
		return -1
	case len(a) > len(b):
		return 1
	}
	return 0
}

// Resolve joins path to the directory cwd (unless path is absolute) and
// writes the canonical absolute result into buf: "/" and names separated by
// single slashes, with no ".", ".." or trailing slash. The resolution is
// lexical: ".." removes the name before it, without looking at symbolic
// links. It returns false if buf is too short (every intermediate result
// must fit). buf must not overlap cwd or path.
//
// Context: kernel (no allocation, no pointer stores).
func Resolve(cwd, path, buf []byte) ([]byte, bool) {
	n := 0
	var ok bool
	if len(path) == 0 || path[0] != '/' {
		if n, ok = appendPath(buf, n, cwd); !ok {
			return nil, false
		}
	}
	if n, ok = appendPath(buf, n, path); !ok {
		return nil, false
	}
	if n == 0 {
		if len(buf) == 0 {
			return nil, false
		}
		buf[0] = '/'
		n = 1
	}
	return buf[:n], true
}

// appendPath applies the components of p to the canonical path buf[:n],
// which is empty for the root.
func appendPath(buf []byte, n int, p []byte) (int, bool) {
	for i := 0; ; {
		comp, j := rawComp(p, i)
		i = j
		switch {
		case comp == nil:
			return n, true
		case isDot(comp):
		case isDotDot(comp):
			for n > 0 && buf[n-1] != '/' {
				n--
			}
			if n > 0 {
				n-- // the slash
			}
		default:
			if len(buf)-n < 1+len(comp) {
				return n, false
			}
			buf[n] = '/'
			n += 1 + copy(buf[n+1:], comp)
		}
	}
}
