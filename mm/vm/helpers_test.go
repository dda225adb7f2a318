package vm

import (
	"testing"

	"golang.org/x/sys/unix"

	"warren.dev/mm/internal/fakemem"
	"warren.dev/mm/pagetable"
)

const (
	userLo = 0x10000
	userHi = 0x0000_7fff_ffff_f000 // Linux's TASK_SIZE on x86-64
	anon   = unix.MAP_ANONYMOUS | unix.MAP_PRIVATE
	fixed  = anon | unix.MAP_FIXED
	rw     = unix.PROT_READ | unix.PROT_WRITE
	gib    = 1 << 30
	mib    = 1 << 20
)

type countTLB struct{ invalidations, flushes int }

func (c *countTLB) Invalidate(uint64, uint64) { c.invalidations++ }
func (c *countTLB) Flush()                    { c.flushes++ }

type env struct {
	as  *AddressSpace
	pt  *pagetable.Tables
	mem *fakemem.Mem
	tlb *countTLB
}

func newEnv(t testing.TB, frames int, lo, hi uint64, excl ...Range) *env {
	t.Helper()
	e := &env{as: new(AddressSpace), pt: new(pagetable.Tables), mem: fakemem.New(0x100000, frames), tlb: new(countTLB)}
	if err := e.pt.Init(e.mem, e.mem); err != nil {
		t.Fatal(err)
	}
	err := e.as.Init(Config{Tables: e.pt, Frames: e.mem, Mem: e.mem, TLB: e.tlb, Lo: lo, Hi: hi, Excluded: excl})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *env) mmap(t testing.TB, addr, length uint64, prot, flags int) uint64 {
	t.Helper()
	a, errno := e.as.Mmap(addr, length, prot, flags)
	if errno != 0 {
		t.Fatalf("Mmap(%#x, %#x, %d, %#x): %v", addr, length, prot, flags, errno)
	}
	return a
}

// poke faults va in for writing and stores v in the word at va.
func (e *env) poke(t testing.TB, va, v uint64) {
	t.Helper()
	if r := e.as.Fault(va, true, false); r != Mapped {
		t.Fatalf("write fault at %#x: %v", va, r)
	}
	pa, _, _, ok := e.pt.Lookup(va)
	if !ok {
		t.Fatalf("%#x not mapped after fault", va)
	}
	e.mem.Table(pa &^ (PageSize - 1))[pa%PageSize/8] = v
}

// peek faults va in for reading and loads the word at va.
func (e *env) peek(t testing.TB, va uint64) uint64 {
	t.Helper()
	if r := e.as.Fault(va, false, false); r != Mapped {
		t.Fatalf("read fault at %#x: %v", va, r)
	}
	pa, ok := e.as.Translate(va)
	if !ok {
		t.Fatalf("Translate(%#x) failed after fault", va)
	}
	return e.mem.Table(pa &^ (PageSize - 1))[pa%PageSize/8]
}

type span struct {
	start, end uint64
	prot       int
}

func (e *env) areas() []span {
	var s []span
	for i := 0; ; i++ {
		a, b, p, ok := e.as.Area(i)
		if !ok {
			return s
		}
		s = append(s, span{a, b, p})
	}
}

func (e *env) wantAreas(t testing.TB, want ...span) {
	t.Helper()
	got := e.areas()
	if len(got) != len(want) {
		t.Fatalf("areas %#x, want %#x", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("areas %#x, want %#x", got, want)
		}
	}
}

// check verifies the invariants tying areas, page tables and counters.
func (e *env) check(t testing.TB) {
	t.Helper()
	as := e.as
	var mapped uint64
	for i := 0; i < as.n; i++ {
		a := as.areas[i]
		if a.start >= a.end || a.start%PageSize != 0 || a.end%PageSize != 0 || a.start < as.lo || a.end > as.hi {
			t.Fatalf("bad area %d: %#x", i, a)
		}
		if as.excluded(a.start, a.end) {
			t.Fatalf("area %#x overlaps an excluded range", a)
		}
		if i > 0 {
			p := as.areas[i-1]
			if p.end > a.start {
				t.Fatalf("areas %#x and %#x overlap or are unsorted", p, a)
			}
			if p.end == a.start && p.prot == a.prot {
				t.Fatalf("areas %#x and %#x should be merged", p, a)
			}
		}
		mapped += a.end - a.start
	}
	if mapped != as.mapped {
		t.Fatalf("mapped counter %#x, areas cover %#x", as.mapped, mapped)
	}
	var resident uint64
	err := e.pt.Walk(as.lo, as.hi, func(va, pa, size uint64, f pagetable.Flags) {
		if as.excluded(va, va+size) {
			return // kernel mapping
		}
		i := as.find(va)
		if size != PageSize || i >= as.n || as.areas[i].start > va {
			t.Fatalf("user page %#x (size %#x) outside any area", va, size)
		}
		if want := pteFlags(as.areas[i].prot); f != want {
			t.Fatalf("page %#x flags %#x, area prot %d wants %#x", va, f, as.areas[i].prot, want)
		}
		resident++
	})
	if err != nil {
		t.Fatal(err)
	}
	if resident != as.resident {
		t.Fatalf("resident counter %d, page tables hold %d", as.resident, resident)
	}
	if got := uint64(e.mem.InUse()); got != resident+uint64(e.pt.TableFrames()) {
		t.Fatalf("frames in use %d, resident %d + tables %d", got, resident, e.pt.TableFrames())
	}
	if e.mem.BadFrees != 0 {
		t.Fatalf("%d bad frees", e.mem.BadFrees)
	}
}
