package vm

import (
	"math/rand/v2"
	"testing"

	"golang.org/x/sys/unix"

	"warren.dev/mm/internal/fakemem"
	"warren.dev/mm/pagetable"
)

func TestInitErrors(t *testing.T) {
	m := fakemem.New(0x100000, 16)
	pt := new(pagetable.Tables)
	pt.Init(m, m)
	ok := Config{Tables: pt, Frames: m, Mem: m, Lo: userLo, Hi: userHi}
	var as AddressSpace
	if err := as.Init(ok); err != nil {
		t.Fatal(err)
	}
	for i, mod := range []func(*Config){
		func(c *Config) { c.Tables = nil },
		func(c *Config) { c.Frames = nil },
		func(c *Config) { c.Mem = nil },
		func(c *Config) { c.Lo = 1 },
		func(c *Config) { c.Hi = c.Lo },
		func(c *Config) { c.Hi = 0x0000_8000_0000_1000 },
		func(c *Config) { c.Lo, c.Hi = 0x7fff_ffff_f000, 0xffff_8000_0000_1000 },
		func(c *Config) { c.Excluded = make([]Range, MaxExcluded+1) },
		func(c *Config) { c.Excluded = []Range{{0x5000, 0x5000}} },
	} {
		c := ok
		mod(&c)
		if err := as.Init(c); err != ErrConfig {
			t.Errorf("case %d: Init = %v", i, err)
		}
	}
	// A zero AddressSpace refuses everything without panicking.
	var zero AddressSpace
	if _, errno := zero.Mmap(0, PageSize, rw, anon); errno == 0 {
		t.Error("Mmap on zero AddressSpace succeeded")
	}
	if zero.Munmap(0, PageSize) == 0 || zero.Mprotect(0, PageSize, rw) == 0 || zero.Madvise(0, PageSize, 0) == 0 ||
		zero.Access(0, 1, false) == 0 || zero.Fault(0, false, false) != MapErr {
		t.Error("zero AddressSpace accepted an operation")
	}
	if _, ok := zero.Translate(0); ok {
		t.Error("Translate on zero AddressSpace succeeded")
	}
	// The high half works as a user range too.
	if err := as.Init(Config{Tables: pt, Frames: m, Mem: m, Lo: 0xffff_8000_0000_0000, Hi: 0}); err != ErrConfig {
		t.Errorf("Hi 0 accepted: %v", err)
	}
	if err := as.Init(Config{Tables: pt, Frames: m, Mem: m, Lo: 0xffff_8000_0000_0000, Hi: 0xffff_ffff_ffff_f000}); err != nil {
		t.Fatal(err)
	}
	a, errno := as.Mmap(0, PageSize, rw, anon)
	if errno != 0 || a != 0xffff_ffff_ffff_e000 {
		t.Fatalf("high-half Mmap = %#x, %v", a, errno)
	}
	if r := as.Fault(a+8, true, false); r != Mapped {
		t.Fatalf("high-half fault: %v", r)
	}
}

// TestGoRuntimePattern replays what the Go runtime does at start-up and
// under GC: large PROT_NONE reservations at its arena hints (some taken,
// so the hint is refused), RW commits inside them with MAP_FIXED, page
// touches, MADV_DONTNEED of free spans, and finally munmap of everything.
func TestGoRuntimePattern(t *testing.T) {
	e := newEnv(t, 8192, userLo, userHi)
	r := rand.New(rand.NewPCG(7, 7))
	type res struct{ addr, size uint64 }
	var reserved []res
	var total uint64
	// Arena hints in Go's style, with duplicates to force refusals.
	hints := []uint64{0x00c0_0000_0000, 0x00c0_0000_0000, 0x01c0_0000_0000, 0, 0x00c0_0400_0000, 0x7fc0_0000_0000}
	for total < 1100*mib {
		size := uint64(64*mib) + uint64(r.IntN(4))*PageSize*17
		hint := hints[r.IntN(len(hints))] + uint64(r.IntN(8))*64*mib
		a := e.mmap(t, hint, size, unix.PROT_NONE, anon|unix.MAP_NORESERVE)
		if a%PageSize != 0 || a < userLo || a+size > userHi {
			t.Fatalf("reservation at %#x", a)
		}
		if e.as.free(hint, hint+size) {
			t.Fatalf("hint %#x was free but Mmap chose %#x", hint, a)
		}
		reserved = append(reserved, res{a, (size + PageSize - 1) &^ (PageSize - 1)})
		total += size
	}
	if st := e.as.Stats(); st.Resident != 0 || e.mem.InUse() > 64 {
		t.Fatalf("PROT_NONE reservations cost RAM: %+v, %d frames", st, e.mem.InUse())
	}
	// Commit RW sub-ranges, touch some pages, give some back.
	for _, rs := range reserved {
		for k := 0; k < 4; k++ {
			off := uint64(r.IntN(int(rs.size/PageSize)-64)) * PageSize
			n := uint64(1+r.IntN(63)) * PageSize
			if a := e.mmap(t, rs.addr+off, n, rw, fixed); a != rs.addr+off {
				t.Fatalf("MAP_FIXED moved to %#x", a)
			}
			for p := uint64(0); p < n; p += 3 * PageSize {
				e.poke(t, rs.addr+off+p, rs.addr+off+p)
			}
			if e.peek(t, rs.addr+off) != rs.addr+off {
				t.Fatal("lost a write")
			}
			if k%2 == 0 {
				if errno := e.as.Madvise(rs.addr+off, n, unix.MADV_DONTNEED); errno != 0 {
					t.Fatalf("madvise: %v", errno)
				}
				if v := e.peek(t, rs.addr+off); v != 0 {
					t.Fatalf("page not zero after MADV_DONTNEED: %#x", v)
				}
			}
		}
		e.check(t)
	}
	st := e.as.Stats()
	if st.Resident == 0 || st.Areas > 3*len(reserved)*4 {
		t.Fatalf("stats after commits: %+v", st)
	}
	// A fixed remap to PROT_NONE, as the runtime's sysFault makes, then
	// release everything.
	rs := reserved[0]
	e.mmap(t, rs.addr, rs.size, unix.PROT_NONE, fixed)
	for _, rs := range reserved {
		if errno := e.as.Munmap(rs.addr, rs.size); errno != 0 {
			t.Fatalf("munmap: %v", errno)
		}
	}
	e.check(t)
	if st := e.as.Stats(); st != (Stats{}) {
		t.Fatalf("after munmap of everything: %+v", st)
	}
	if e.mem.InUse() != 1 || e.pt.TableFrames() != 1 {
		t.Fatalf("frames leaked: %d in use, %d tables", e.mem.InUse(), e.pt.TableFrames())
	}
}

func TestHints(t *testing.T) {
	excl := Range{0x4000_0000, 0x4010_0000}
	e := newEnv(t, 256, userLo, 0x1_0000_0000, excl)
	top := uint64(0x1_0000_0000)
	// No hint: top-down from Hi, and consecutive equal-prot mappings merge.
	if a := e.mmap(t, 0, 2*PageSize, rw, anon); a != top-2*PageSize {
		t.Fatalf("first mapping at %#x", a)
	}
	if a := e.mmap(t, 0, PageSize, rw, anon); a != top-3*PageSize {
		t.Fatalf("second mapping at %#x", a)
	}
	e.wantAreas(t, span{top - 3*PageSize, top, rw})
	// A free hint is honoured, rounded up to a page.
	if a := e.mmap(t, 0x2000_0001, PageSize, unix.PROT_READ, anon); a != 0x2000_1000 {
		t.Fatalf("hint mapped at %#x", a)
	}
	// A taken hint falls back to top-down.
	if a := e.mmap(t, 0x2000_1000, PageSize, unix.PROT_READ, anon); a != top-4*PageSize {
		t.Fatalf("refused hint mapped at %#x", a)
	}
	// Hints in the excluded range, below Lo or running past Hi are refused.
	for _, h := range []uint64{excl.Start, excl.End - PageSize, 0x1000, top - PageSize, 1 << 47, ^uint64(0)} {
		a := e.mmap(t, h, 2*PageSize, unix.PROT_EXEC, anon)
		if a == h || e.as.excluded(a, a+2*PageSize) || a < userLo || a+2*PageSize > top {
			t.Fatalf("hint %#x mapped at %#x", h, a)
		}
		e.as.Munmap(a, 2*PageSize)
	}
	// Fill the space below the top so the search must skip the excluded
	// range: a mapping that fits only below it lands right under it.
	e.mmap(t, excl.End, top-4*PageSize-excl.End, unix.PROT_NONE, fixed)
	if a := e.mmap(t, 0, 2*PageSize, unix.PROT_NONE, anon); a != excl.Start-2*PageSize {
		t.Fatalf("mapping below the excluded range at %#x", a)
	}
	if a := e.mmap(t, 0, PageSize, rw, anon|unix.MAP_32BIT); a >= 1<<31 {
		t.Fatalf("MAP_32BIT mapping at %#x", a)
	}
	e.check(t)
	// No room at all.
	if _, errno := e.as.Mmap(0, 1<<32, rw, anon); errno != unix.ENOMEM {
		t.Fatalf("oversized Mmap: %v", errno)
	}
}

func TestMmapFlags(t *testing.T) {
	e := newEnv(t, 64, userLo, 0x1_0000_0000, Range{0x100000, 0x200000})
	for _, c := range []struct {
		addr, length uint64
		prot, flags  int
		want         unix.Errno
	}{
		{0, 0, rw, anon, unix.EINVAL},
		{0, PageSize, rw, unix.MAP_PRIVATE, unix.EBADF},
		{0, PageSize, rw, unix.MAP_ANONYMOUS, unix.EINVAL},
		{0, PageSize, rw, unix.MAP_ANONYMOUS | unix.MAP_SHARED_VALIDATE, unix.EINVAL},
		{0, PageSize, rw, anon | unix.MAP_GROWSDOWN, unix.ENOTSUP},
		{0, PageSize, rw, anon | unix.MAP_HUGETLB, unix.ENOMEM},
		{0, ^uint64(0), rw, anon, unix.ENOMEM},
		{0x1000_1001, PageSize, rw, fixed, unix.EINVAL},
		{0x1001, PageSize, rw, fixed, unix.EINVAL},
		{0x1000, PageSize, rw, fixed, unix.ENOMEM},          // below Lo
		{0x1_0000_0000, PageSize, rw, fixed, unix.ENOMEM},   // at Hi
		{0xffff_f000, 2 * PageSize, rw, fixed, unix.ENOMEM}, // past Hi
		{0x1ff000, PageSize, rw, fixed, unix.ENOMEM},        // excluded
		{0xf_f000, 2 * PageSize, rw, fixed, unix.ENOMEM},    // into excluded
		{^uint64(0) &^ 0xfff, 2 * PageSize, rw, fixed, unix.ENOMEM},
	} {
		if a, errno := e.as.Mmap(c.addr, c.length, c.prot, c.flags); errno != c.want {
			t.Errorf("Mmap(%#x, %#x, %d, %#x) = %#x, %v; want %v", c.addr, c.length, c.prot, c.flags, a, errno, c.want)
		}
	}
	if e.as.Stats().Areas != 0 {
		t.Fatal("failed Mmap created an area")
	}
	// Accepted flags, shared anonymous memory, stray prot bits.
	for _, f := range []int{
		anon | unix.MAP_NORESERVE | unix.MAP_POPULATE | unix.MAP_STACK | unix.MAP_LOCKED,
		unix.MAP_ANONYMOUS | unix.MAP_SHARED,
	} {
		a := e.mmap(t, 0, 3, rw|0x1000, f)
		if _, _, p, _ := e.as.Area(e.as.find(a)); p != rw {
			t.Fatalf("prot recorded as %#x", p)
		}
	}
	// MAP_FIXED_NOREPLACE.
	a := e.mmap(t, 0x3000_0000, 4*PageSize, rw, fixed|unix.MAP_FIXED_NOREPLACE)
	if _, errno := e.as.Mmap(a+3*PageSize, 2*PageSize, rw, anon|unix.MAP_FIXED_NOREPLACE); errno != unix.EEXIST {
		t.Fatalf("NOREPLACE over a mapping: %v", errno)
	}
	if b := e.mmap(t, a+4*PageSize, PageSize, rw, anon|unix.MAP_FIXED_NOREPLACE); b != a+4*PageSize {
		t.Fatalf("NOREPLACE next to a mapping at %#x", b)
	}
	e.check(t)
}

func TestFixedReplaces(t *testing.T) {
	e := newEnv(t, 64, userLo, 0x1_0000_0000)
	a := e.mmap(t, 0x1000_0000, 8*PageSize, rw, fixed)
	for i := uint64(0); i < 8; i++ {
		e.poke(t, a+i*PageSize, i+1)
	}
	inUse := e.mem.InUse()
	e.mmap(t, a+2*PageSize, 3*PageSize, unix.PROT_READ, fixed)
	if e.mem.InUse() != inUse-3 {
		t.Fatalf("MAP_FIXED freed %d frames, want 3", inUse-e.mem.InUse())
	}
	e.wantAreas(t, span{a, a + 2*PageSize, rw}, span{a + 2*PageSize, a + 5*PageSize, unix.PROT_READ}, span{a + 5*PageSize, a + 8*PageSize, rw})
	if v := e.peek(t, a+3*PageSize); v != 0 {
		t.Fatalf("replaced page reads %d", v)
	}
	if v := e.peek(t, a+5*PageSize); v != 6 {
		t.Fatalf("neighbour page reads %d", v)
	}
	// Mapping RW back over the hole merges into one area again.
	e.mmap(t, a+2*PageSize, 3*PageSize, rw, fixed)
	e.wantAreas(t, span{a, a + 8*PageSize, rw})
	e.check(t)
}

func TestAreaTableFull(t *testing.T) {
	e := newEnv(t, 64, userLo, 0x1_0000_0000)
	base := uint64(0x1000_0000)
	// Alternating protections keep every page its own area.
	for i := uint64(0); i < MaxAreas; i++ {
		e.mmap(t, base+i*PageSize, PageSize, int(i%2)*rw, fixed)
	}
	if e.as.Stats().Areas != MaxAreas {
		t.Fatalf("areas = %d", e.as.Stats().Areas)
	}
	if _, errno := e.as.Mmap(0, PageSize, rw, anon); errno != unix.ENOMEM {
		t.Fatalf("Mmap with a full table: %v", errno)
	}
	if _, errno := e.as.Mmap(base-2*PageSize, PageSize, rw, fixed); errno != unix.ENOMEM {
		t.Fatalf("fixed Mmap with a full table: %v", errno)
	}
	// Extending an area with equal protection merges, so it still works.
	if _, errno := e.as.Mmap(base-PageSize, PageSize, unix.PROT_NONE, fixed); errno != 0 {
		t.Fatalf("merging Mmap with a full table: %v", errno)
	}
	// So does replacing a whole area.
	if _, errno := e.as.Mmap(base+5*PageSize, PageSize, rw, fixed); errno != 0 {
		t.Fatalf("merging replacement with a full table: %v", errno)
	}
	// Make one big area, then splitting it needs a slot: refill first.
	if errno := e.as.Munmap(base+100*PageSize, 2*PageSize); errno != 0 || e.as.Stats().Areas != MaxAreas-2 {
		t.Fatalf("Munmap of two areas: %v, %d areas", errno, e.as.Stats().Areas)
	}
	e.mmap(t, 0x2000_0000, 16*PageSize, rw, fixed)
	for e.as.Stats().Areas < MaxAreas {
		e.mmap(t, 0, PageSize, e.as.Stats().Areas%2*unix.PROT_READ, anon)
	}
	if errno := e.as.Munmap(0x2000_0000+PageSize, PageSize); errno != unix.ENOMEM {
		t.Fatalf("splitting Munmap with a full table: %v", errno)
	}
	if errno := e.as.Mprotect(0x2000_0000+PageSize, PageSize, unix.PROT_READ); errno != unix.ENOMEM {
		t.Fatalf("splitting Mprotect with a full table: %v", errno)
	}
	// Trimming an end needs no new slot.
	if errno := e.as.Munmap(0x2000_0000, PageSize); errno != 0 {
		t.Fatalf("trimming Munmap with a full table: %v", errno)
	}
	e.check(t)
}

func TestMunmapPartial(t *testing.T) {
	e := newEnv(t, 64, userLo, 0x1_0000_0000)
	a := e.mmap(t, 0x1000_0000, 10*PageSize, rw, fixed)
	for i := uint64(0); i < 10; i++ {
		e.poke(t, a+i*PageSize, i)
	}
	for _, c := range []struct{ off, n uint64 }{{0, 1}, {9, 1}, {4, 2}} {
		if errno := e.as.Munmap(a+c.off*PageSize, c.n*PageSize-100); errno != 0 {
			t.Fatal(errno)
		}
	}
	e.wantAreas(t, span{a + PageSize, a + 4*PageSize, rw}, span{a + 6*PageSize, a + 9*PageSize, rw})
	if st := e.as.Stats(); st.Resident != 6 || st.Mapped != 6*PageSize {
		t.Fatalf("stats %+v", st)
	}
	if r := e.as.Fault(a+4*PageSize, false, false); r != MapErr {
		t.Fatalf("fault in the hole: %v", r)
	}
	if e.peek(t, a+6*PageSize) != 6 {
		t.Fatal("surviving page lost its data")
	}
	// Unmapping holes and beyond the areas is fine; bad arguments are not.
	if errno := e.as.Munmap(0x2000_0000, gib); errno != 0 {
		t.Fatal(errno)
	}
	for _, c := range [][2]uint64{{a + 1, PageSize}, {a, 0}, {0x1_0000_0000 - PageSize, 2 * PageSize}, {^uint64(0) &^ 0xfff, PageSize}} {
		if errno := e.as.Munmap(c[0], c[1]); errno != unix.EINVAL {
			t.Errorf("Munmap(%#x, %#x) = %v", c[0], c[1], errno)
		}
	}
	invals, flushes := e.tlb.invalidations, e.tlb.flushes
	if errno := e.as.Munmap(a, 10*PageSize); errno != 0 {
		t.Fatal(errno)
	}
	if e.tlb.invalidations == invals && e.tlb.flushes == flushes {
		t.Fatal("no TLB invalidation after munmap")
	}
	e.check(t)
	if e.mem.InUse() != 1 {
		t.Fatalf("%d frames in use after unmapping everything", e.mem.InUse())
	}
}

func TestMprotect(t *testing.T) {
	e := newEnv(t, 64, userLo, 0x1_0000_0000)
	a := e.mmap(t, 0x1000_0000, 4*PageSize, rw, fixed)
	e.poke(t, a+PageSize, 42)
	if errno := e.as.Mprotect(a+PageSize, PageSize, unix.PROT_READ); errno != 0 {
		t.Fatal(errno)
	}
	e.wantAreas(t, span{a, a + PageSize, rw}, span{a + PageSize, a + 2*PageSize, unix.PROT_READ}, span{a + 2*PageSize, a + 4*PageSize, rw})
	if _, _, f, _ := e.pt.Lookup(a + PageSize); f&pagetable.Writable != 0 {
		t.Fatal("present PTE still writable")
	}
	if r := e.as.Fault(a+PageSize, true, false); r != AccErr {
		t.Fatalf("write to read-only page: %v", r)
	}
	if e.peek(t, a+PageSize) != 42 {
		t.Fatal("data lost")
	}
	// PROT_NONE keeps the data but hides it.
	if errno := e.as.Mprotect(a, 4*PageSize, unix.PROT_NONE); errno != 0 {
		t.Fatal(errno)
	}
	e.wantAreas(t, span{a, a + 4*PageSize, unix.PROT_NONE})
	if _, ok := e.as.Translate(a + PageSize); ok {
		t.Fatal("Translate of a PROT_NONE page succeeded")
	}
	if r := e.as.Fault(a+PageSize, false, false); r != AccErr {
		t.Fatalf("read of PROT_NONE page: %v", r)
	}
	if e.as.Stats().Resident != 1 {
		t.Fatal("PROT_NONE dropped the page")
	}
	if errno := e.as.Mprotect(a, 4*PageSize, rw|unix.PROT_EXEC); errno != 0 {
		t.Fatal(errno)
	}
	if e.peek(t, a+PageSize) != 42 {
		t.Fatal("data lost across PROT_NONE")
	}
	if _, _, f, _ := e.pt.Lookup(a + PageSize); f != pagetable.Present|pagetable.User|pagetable.Writable {
		t.Fatalf("RWX page flags %#x", f)
	}
	// Holes: ENOMEM and nothing changes.
	e.mmap(t, a+5*PageSize, PageSize, rw, fixed)
	if errno := e.as.Mprotect(a, 6*PageSize, unix.PROT_READ); errno != unix.ENOMEM {
		t.Fatalf("Mprotect over a hole: %v", errno)
	}
	e.wantAreas(t, span{a, a + 4*PageSize, rw | unix.PROT_EXEC}, span{a + 5*PageSize, a + 6*PageSize, rw})
	for _, c := range []struct {
		addr, length uint64
		prot         int
		want         unix.Errno
	}{
		{a + 1, PageSize, rw, unix.EINVAL},
		{a, PageSize, unix.PROT_GROWSDOWN | rw, unix.EINVAL},
		{a, PageSize, 0x100, unix.EINVAL},
		{a + 1, 0, rw, unix.EINVAL},
		{a, 0, rw, 0},
		{^uint64(0) &^ 0xfff, 2 * PageSize, rw, unix.ENOMEM},
		{a, PageSize, rw | unix.PROT_EXEC | protSem, 0},
	} {
		if errno := e.as.Mprotect(c.addr, c.length, c.prot); errno != c.want {
			t.Errorf("Mprotect(%#x, %#x, %#x) = %v, want %v", c.addr, c.length, c.prot, errno, c.want)
		}
	}
	e.check(t)
}

func TestMadvise(t *testing.T) {
	e := newEnv(t, 64, userLo, 0x1_0000_0000)
	a := e.mmap(t, 0x1000_0000, 4*PageSize, rw, fixed)
	for _, adv := range []int{unix.MADV_DONTNEED, unix.MADV_FREE} {
		e.poke(t, a, 7)
		e.poke(t, a+3*PageSize, 8)
		if errno := e.as.Madvise(a, 3*PageSize, adv); errno != 0 {
			t.Fatal(errno)
		}
		if e.as.Stats().Resident != 1 {
			t.Fatalf("advice %d: resident %d", adv, e.as.Stats().Resident)
		}
		if e.peek(t, a) != 0 || e.peek(t, a+3*PageSize) != 8 {
			t.Fatalf("advice %d: wrong contents after drop", adv)
		}
	}
	before := e.as.Stats()
	for _, adv := range []int{unix.MADV_NORMAL, unix.MADV_WILLNEED, unix.MADV_HUGEPAGE, unix.MADV_NOHUGEPAGE, unix.MADV_COLD} {
		if errno := e.as.Madvise(a, 4*PageSize, adv); errno != 0 {
			t.Fatalf("advice %d: %v", adv, errno)
		}
	}
	if e.as.Stats() != before {
		t.Fatal("no-op advice changed something")
	}
	for _, c := range []struct {
		addr, length uint64
		adv          int
		want         unix.Errno
	}{
		{a, PageSize, 999, unix.EINVAL},
		{a, PageSize, unix.MADV_REMOVE, unix.EINVAL},
		{a, PageSize, unix.MADV_HWPOISON, unix.EINVAL},
		{a + 1, PageSize, unix.MADV_DONTNEED, unix.EINVAL},
		{a, ^uint64(0), unix.MADV_DONTNEED, unix.EINVAL},
		{^uint64(0) &^ 0xfff, 2 * PageSize, unix.MADV_DONTNEED, unix.EINVAL},
		{a, 0, unix.MADV_DONTNEED, 0},
		{a + 4*PageSize, PageSize, unix.MADV_NORMAL, unix.ENOMEM},
	} {
		if errno := e.as.Madvise(c.addr, c.length, c.adv); errno != c.want {
			t.Errorf("Madvise(%#x, %#x, %d) = %v, want %v", c.addr, c.length, c.adv, errno, c.want)
		}
	}
	// A hole gives ENOMEM, but the mapped part is still dropped.
	e.poke(t, a+3*PageSize, 9)
	if errno := e.as.Madvise(a+3*PageSize, 2*PageSize, unix.MADV_DONTNEED); errno != unix.ENOMEM {
		t.Fatalf("Madvise over a hole: %v", errno)
	}
	if e.peek(t, a+3*PageSize) != 0 {
		t.Fatal("mapped part not dropped")
	}
	e.check(t)
}

func TestNoAllocs(t *testing.T) {
	e := newEnv(t, 1024, userLo, userHi)
	hint := uint64(0xc0_0000_0000)
	n := testing.AllocsPerRun(100, func() {
		a, _ := e.as.Mmap(hint, 64*mib, unix.PROT_NONE, anon)
		e.as.Mmap(a, 8*PageSize, rw, fixed)
		e.as.Mmap(0, PageSize, rw, anon)
		e.as.Fault(a, true, false)
		e.as.Fault(a+PageSize, false, false)
		e.as.Fault(a, true, false)
		e.as.Fault(0, false, false)
		e.as.Access(a, 3*PageSize, true)
		e.as.Translate(a)
		e.as.Mprotect(a, PageSize, unix.PROT_READ)
		e.as.Madvise(a, 2*PageSize, unix.MADV_DONTNEED)
		e.as.Munmap(a+PageSize, PageSize)
		e.as.Munmap(a, 64*mib)
		e.as.Mmap(0, 0, 0, 0)
		_ = e.as.Stats()
	})
	if n != 0 {
		t.Fatalf("%v allocations per run", n)
	}
}
