package vm

import (
	"math/rand/v2"
	"testing"

	"golang.org/x/sys/unix"
)

// The model tracks each page of a small window.
type vpage struct {
	mapped   bool
	prot     uint8
	resident bool
	val      uint64 // word 0 of the page while resident
}

const (
	fzLo     = 0x1000_0000
	fzPages  = 96
	fzHi     = fzLo + fzPages*PageSize
	fzExclLo = 40 // excluded pages [40, 44)
	fzExclHi = 44
)

type vmModel struct {
	pages [fzPages]vpage
	token uint64
}

// pageRange converts [addr, addr+length) to window page indexes, clipped.
func pageRange(addr, length uint64) (int, int) {
	s, e := addr, addr+length
	s, e = max(s, fzLo), min(e, fzHi)
	if e <= s {
		return 0, 0
	}
	return int((s - fzLo) / PageSize), int((e - fzLo + PageSize - 1) / PageSize)
}

func excludedPage(i int) bool { return i >= fzExclLo && i < fzExclHi }

// fits reports whether pages [s, s+n) are inside the window, unmapped and
// not excluded.
func (m *vmModel) fits(s, n int) bool {
	if s < 0 || s+n > fzPages {
		return false
	}
	for i := s; i < s+n; i++ {
		if m.pages[i].mapped || excludedPage(i) {
			return false
		}
	}
	return true
}

func (m *vmModel) set(s, n int, prot uint8) {
	for i := s; i < s+n; i++ {
		m.pages[i] = vpage{mapped: true, prot: prot}
	}
}

// allMapped reports whether every page of [addr, addr+length) is mapped
// (and so inside the window).
func (m *vmModel) allMapped(addr, length uint64, ok func(p vpage) bool) bool {
	if addr < fzLo || addr+length > fzHi || addr+length < addr {
		return false
	}
	s, e := pageRange(addr, length)
	for i := s; i < e; i++ {
		if !m.pages[i].mapped || !ok(m.pages[i]) {
			return false
		}
	}
	return true
}

func FuzzAddressSpace(f *testing.F) {
	f.Add([]byte{0, 0, 10, 5, 3, 5, 0, 1, 0, 6, 0, 1, 8})
	f.Add([]byte{1, 2, 20, 8, 0, 3, 3, 22, 2, 1, 1, 4, 0, 23, 1, 0, 7, 20, 3, 1, 8})
	f.Add([]byte{0, 1, 30, 12, 1, 2, 3, 2, 33, 2, 0, 4, 33, 1, 0, 5, 34, 1, 0, 0, 8, 9, 35})
	f.Fuzz(runVMOps)
}

func runVMOps(t *testing.T, ops []byte) {
	e := newEnv(t, 160, userLo, userHi-PageSize)
	// Confine the fuzz to a small window so operations collide.
	e.as.lo, e.as.hi = fzLo, fzHi
	e.as.excl[0] = Range{fzLo + fzExclLo*PageSize, fzLo + fzExclHi*PageSize}
	e.as.nexcl = 1
	m := new(vmModel)
	next := func() uint64 {
		if len(ops) == 0 {
			return 0
		}
		b := ops[0]
		ops = ops[1:]
		return uint64(b)
	}
	addr := func() uint64 { // a page near or in the window, sometimes misaligned
		a := uint64(fzLo) + (next()%(fzPages+8))*PageSize - 4*PageSize
		if next()%16 == 0 {
			a += 8
		}
		return a
	}
	length := func() uint64 { return (next()%16)*PageSize + next()%3*1000 }
	for len(ops) > 0 {
		switch op := next() % 10; op {
		case 0, 1: // mmap
			kind, a, l, prot := next()%4, addr(), length(), next()%8
			flags := anon
			switch kind {
			case 0:
				a = 0
			case 2:
				flags |= unix.MAP_FIXED
			case 3:
				flags |= unix.MAP_FIXED_NOREPLACE
			}
			got, errno := e.as.Mmap(a, l, int(prot), flags)
			n := int((l + PageSize - 1) / PageSize)
			var want uint64
			var wantErr unix.Errno
			switch {
			case l == 0:
				wantErr = unix.EINVAL
			case kind >= 2 && a%PageSize != 0:
				wantErr = unix.EINVAL
			case kind >= 2:
				s := int(int64(a-fzLo) / PageSize)
				if a < fzLo || s+n > fzPages {
					wantErr = unix.ENOMEM
					break
				}
				for i := s; i < s+n; i++ {
					if excludedPage(i) {
						wantErr = unix.ENOMEM
					} else if m.pages[i].mapped && kind == 3 && wantErr == 0 {
						wantErr = unix.EEXIST
					}
				}
				want = a
			default:
				h := (a + PageSize - 1) &^ (PageSize - 1)
				if kind == 1 && h >= fzLo && m.fits(int((h-fzLo)/PageSize), n) {
					want = h
					break
				}
				wantErr = unix.ENOMEM
				for s := fzPages - n; s >= 0; s-- {
					if m.fits(s, n) {
						want, wantErr = fzLo+uint64(s)*PageSize, 0
						break
					}
				}
			}
			if errno != wantErr || (errno == 0 && got != want) {
				t.Fatalf("Mmap(%#x, %#x, %d, %#x) = %#x, %v; want %#x, %v", a, l, prot, flags, got, errno, want, wantErr)
			}
			if errno == 0 {
				m.set(int((got-fzLo)/PageSize), n, uint8(prot))
			}
		case 2: // munmap
			a, l := addr(), length()
			errno := e.as.Munmap(a, l)
			wantErr := unix.Errno(0)
			if a%PageSize != 0 || l == 0 || a > fzHi || l > fzHi-a {
				wantErr = unix.EINVAL
			}
			if errno != wantErr {
				t.Fatalf("Munmap(%#x, %#x) = %v, want %v", a, l, errno, wantErr)
			}
			if errno == 0 {
				s, end := pageRange(a, l)
				for i := s; i < end; i++ {
					m.pages[i] = vpage{}
				}
			}
		case 3: // mprotect
			a, l, prot := addr(), length(), int(next()%9)
			if prot == 8 {
				prot = 0x10 // invalid
			}
			errno := e.as.Mprotect(a, l, prot)
			var wantErr unix.Errno
			switch {
			case a%PageSize != 0:
				wantErr = unix.EINVAL
			case l == 0:
			case prot == 0x10:
				wantErr = unix.EINVAL
			case !m.allMapped(a, l, func(vpage) bool { return true }):
				wantErr = unix.ENOMEM
			}
			if errno != wantErr {
				t.Fatalf("Mprotect(%#x, %#x, %d) = %v, want %v", a, l, prot, errno, wantErr)
			}
			if errno == 0 {
				s, end := pageRange(a, l)
				for i := s; i < end; i++ {
					m.pages[i].prot = uint8(prot)
				}
			}
		case 4: // madvise
			a, l := addr(), length()
			adv := [4]int{unix.MADV_DONTNEED, unix.MADV_FREE, unix.MADV_WILLNEED, 999}[next()%4]
			errno := e.as.Madvise(a, l, adv)
			var wantErr unix.Errno
			switch {
			case adv == 999 || a%PageSize != 0:
				wantErr = unix.EINVAL
			case l == 0:
			case !m.allMapped(a, l, func(vpage) bool { return true }):
				wantErr = unix.ENOMEM
			}
			if errno != wantErr {
				t.Fatalf("Madvise(%#x, %#x, %d) = %v, want %v", a, l, adv, errno, wantErr)
			}
			if wantErr != unix.EINVAL && l != 0 && (adv == unix.MADV_DONTNEED || adv == unix.MADV_FREE) {
				s, end := pageRange(a, l)
				for i := s; i < end; i++ {
					m.pages[i].resident, m.pages[i].val = false, 0
				}
			}
		case 5, 6: // fault, sometimes with no frames
			a := addr() + next()%8*64
			write, exec, dry := next()%2 == 0, next()%5 == 0, next()%6 == 0
			if dry {
				e.mem.FailAfter(0)
			}
			r := e.as.Fault(a, write, exec)
			e.mem.FailAfter(-1)
			want := MapErr
			var p *vpage
			if s, end := pageRange(a, 1); end > s {
				p = &m.pages[s]
			}
			switch {
			case p == nil || !p.mapped:
			case !allows(p.prot, write, exec):
				want = AccErr
			case !p.resident && dry:
				want = OOM
			default:
				want = Mapped
			}
			if r != want {
				t.Fatalf("Fault(%#x, w=%v, x=%v) = %v, want %v", a, write, exec, r, want)
			}
			if r == Mapped {
				checkWord(t, e, a&^(PageSize-1), p)
				p.resident = true
				if write {
					m.token++
					p.val = m.token
					setWord(t, e, a&^(PageSize-1), p.val)
				}
			}
		case 7: // access
			a, l, write := addr()+next()%8*512, length(), next()%2 == 0
			errno := e.as.Access(a, l, write)
			var wantErr unix.Errno
			if l != 0 && !m.allMapped(a, l, func(p vpage) bool { return allows(p.prot, write, false) }) {
				wantErr = unix.EFAULT
			}
			if errno != wantErr {
				t.Fatalf("Access(%#x, %#x, %v) = %v, want %v", a, l, write, errno, wantErr)
			}
			if errno == 0 {
				s, end := pageRange(a, l)
				for i := s; i < end; i++ {
					m.pages[i].resident = true
				}
			}
		case 8:
			checkVM(t, e, m)
		case 9: // translate
			a := addr() + next()
			pa, ok := e.as.Translate(a)
			var p vpage
			if s, end := pageRange(a, 1); end > s {
				p = m.pages[s]
			}
			if want := p.resident && p.prot&protRWX != 0; ok != want {
				t.Fatalf("Translate(%#x) ok=%v, want %v", a, ok, want)
			}
			if ok && e.mem.Table(pa &^ (PageSize - 1))[0] != p.val {
				t.Fatalf("Translate(%#x) reaches the wrong frame", a)
			}
		}
	}
	checkVM(t, e, m)
	if errno := e.as.Munmap(fzLo, fzHi-fzLo); errno != 0 {
		t.Fatal(errno)
	}
	if st := e.as.Stats(); st != (Stats{}) || e.mem.InUse() != 1 {
		t.Fatalf("after munmap of everything: %+v, %d frames", st, e.mem.InUse())
	}
}

func checkWord(t *testing.T, e *env, va uint64, p *vpage) {
	t.Helper()
	pa, _, _, ok := e.pt.Lookup(va)
	if !ok {
		t.Fatalf("%#x not present", va)
	}
	if got := e.mem.Table(pa)[0]; got != p.val {
		t.Fatalf("page %#x holds %#x, model %#x", va, got, p.val)
	}
}

func setWord(t *testing.T, e *env, va, v uint64) {
	t.Helper()
	pa, _, _, _ := e.pt.Lookup(va)
	e.mem.Table(pa)[0] = v
}

func checkVM(t *testing.T, e *env, m *vmModel) {
	t.Helper()
	e.check(t)
	var resident, mapped uint64
	areas := 0
	for i := range m.pages {
		p := &m.pages[i]
		va := fzLo + uint64(i)*PageSize
		_, _, f, ok := e.pt.Lookup(va)
		if ok != p.resident {
			t.Fatalf("page %#x present=%v, model %v", va, ok, p.resident)
		}
		if ok {
			checkWord(t, e, va, p)
			if f != pteFlags(p.prot) {
				t.Fatalf("page %#x flags %#x, want %#x", va, f, pteFlags(p.prot))
			}
			resident++
		}
		if p.mapped {
			mapped += PageSize
			if i == 0 || !m.pages[i-1].mapped || m.pages[i-1].prot != p.prot {
				areas++
			}
		}
	}
	if st := e.as.Stats(); st != (Stats{resident, mapped, areas}) {
		t.Fatalf("Stats %+v, model resident %d mapped %#x areas %d", st, resident, mapped, areas)
	}
}

// TestAddressSpaceRandom runs the fuzz body over random inputs so plain go
// test explores beyond the seed corpus.
func TestAddressSpaceRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	n := 500
	if testing.Short() {
		n = 50
	}
	for range n {
		ops := make([]byte, 50+r.IntN(500))
		for i := range ops {
			ops[i] = byte(r.Uint32())
		}
		runVMOps(t, ops)
	}
}
