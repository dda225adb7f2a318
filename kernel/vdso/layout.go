package vdso

// layout holds the file offset of every table in the image. The order is
// ELF header, program headers, then the tables, then section headers.
type layout struct {
	nsym                 int // symbols including the null entry
	nbucket              int
	hash, dynsym, dynstr int
	strsz                int
	versym, verdef       int
	dynamic, shstrtab    int
	shdr, size           int
	soname, version      int // offsets of the two names inside dynstr
}

// numDyn counts the dynamic entries Build writes, DT_NULL included.
const numDyn = 10

func align8(n int) int { return (n + 7) &^ 7 }

// plan validates syms and computes the layout. limit bounds the size so the
// arithmetic cannot overflow.
func plan(syms []Symbol, limit int) (layout, error) {
	var l layout
	l.nsym = len(syms) + 1
	l.nbucket = len(syms)
	if l.nbucket == 0 {
		l.nbucket = 1
	}
	strsz := 1 + len(SOName) + 1 + len(Version) + 1
	for i, s := range syms {
		if !validName(s.Name) || s.Addr == 0 {
			return l, ErrBadSymbol
		}
		for _, t := range syms[:i] {
			if t.Name == s.Name {
				return l, ErrBadSymbol
			}
		}
		strsz += len(s.Name) + 1
		if strsz > limit {
			return l, ErrShortBuffer
		}
	}
	if len(syms) > limit/symSize {
		return l, ErrShortBuffer
	}
	l.soname = 1
	l.version = 1 + len(SOName) + 1
	l.strsz = strsz

	off := ehdrSize + 2*phdrSize
	l.hash = off
	off = align8(off + 4*(2+l.nbucket+l.nsym))
	l.dynsym = off
	off += symSize * l.nsym
	l.dynstr = off
	off = align8(off + strsz)
	l.versym = off
	off = align8(off + 2*l.nsym)
	l.verdef = off
	off += 2 * (verdefSize + verdauxSize)
	l.dynamic = off
	off += numDyn * dynSize
	l.shstrtab = off
	off = align8(off + len(shstrtab))
	l.shdr = off
	l.size = off + numSections*shdrSize
	if l.size > limit {
		return l, ErrShortBuffer
	}
	return l, nil
}

func validName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			return false
		}
	}
	return true
}

// Size reports how many bytes Build needs for syms, or an error if syms are
// invalid.
//
// Context: kernel (no allocation, no pointer stores).
func Size(syms []Symbol) (int, error) {
	l, err := plan(syms, 1<<30)
	return l.size, err
}
