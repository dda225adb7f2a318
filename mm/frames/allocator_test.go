package frames

import (
	"testing"
)

const mib = 1 << 20

func newAlloc(t testing.TB, limit uint64) *Allocator {
	t.Helper()
	a := new(Allocator)
	a.Init(make([]uint64, BitmapWords(limit)), limit)
	return a
}

func TestBitmapWords(t *testing.T) {
	for _, c := range []struct {
		limit uint64
		want  int
	}{
		{0, 0}, {4095, 0}, {4096, 2}, {64 * 4096, 2}, {65 * 4096, 4}, {1 << 30, 2 * 4096},
	} {
		if got := BitmapWords(c.limit); got != c.want {
			t.Errorf("BitmapWords(%#x) = %d, want %d", c.limit, got, c.want)
		}
	}
}

func TestInitStartsReserved(t *testing.T) {
	a := newAlloc(t, 8*mib)
	if s := a.Stats(); s.Total != 0 || s.Free != 0 {
		t.Fatalf("fresh allocator has frames: %+v", s)
	}
	if _, ok := a.Alloc(); ok {
		t.Fatal("Alloc succeeded with no RAM added")
	}
	if a.Free(0x1000) {
		t.Fatal("Free of a reserved frame succeeded")
	}
	if s := a.Stats(); s.BadFrees != 1 {
		t.Fatalf("bad free not counted: %+v", s)
	}
}

func TestInitShortBitmapLowersLimit(t *testing.T) {
	a := new(Allocator)
	a.Init(make([]uint64, 2), 1<<30) // room for 64 frames only
	a.AddRange(0, 1<<30)
	if s := a.Stats(); s.Total != 64 {
		t.Fatalf("total = %d, want 64", s.Total)
	}
	var zero Allocator // the zero value must not panic either
	if _, ok := zero.Alloc(); ok || zero.Free(0) {
		t.Fatal("zero Allocator handed out or took back a frame")
	}
	if _, ok := zero.AllocContig(1, 1); ok {
		t.Fatal("zero Allocator AllocContig succeeded")
	}
	zero.AddRange(0, 1<<20)
	zero.ReserveRange(0, 1<<20)
}

func TestRangesRounding(t *testing.T) {
	a := newAlloc(t, 1*mib)
	a.AddRange(0x1800, 0x5800) // inward: frames 2,3,4
	if s := a.Stats(); s.Total != 3 || s.Free != 3 {
		t.Fatalf("after AddRange: %+v", s)
	}
	a.ReserveRange(0x2fff, 0x3001) // outward: frames 2,3
	if s := a.Stats(); s.Total != 1 || s.Free != 1 {
		t.Fatalf("after ReserveRange: %+v", s)
	}
	pa, ok := a.Alloc()
	if !ok || pa != 0x4000 {
		t.Fatalf("Alloc = %#x,%v want 0x4000", pa, ok)
	}
	// Ranges past the limit are clipped, empty or inverted ones ignored.
	a.AddRange(0, 1<<62)
	a.AddRange(0x9000, 0x8000)
	a.ReserveRange(0x9000, 0x9000)
	if s := a.Stats(); s.Total != 256 || s.Free != 255 {
		t.Fatalf("after big AddRange: %+v", s)
	}
	// AddRange must not resurrect an allocated frame.
	a.AddRange(0x4000, 0x5000)
	if s := a.Stats(); s.Free != 255 || !a.Allocated(0x4000) {
		t.Fatalf("AddRange touched allocated frame: %+v", s)
	}
	a.ReserveRange(0, ^uint64(0))
	if s := a.Stats(); s.Total != 0 || s.Free != 0 {
		t.Fatalf("after reserving all: %+v", s)
	}
	if a.Free(0x4000) {
		t.Fatal("Free of a frame reserved while allocated succeeded")
	}
}

func TestExhaustion(t *testing.T) {
	a := newAlloc(t, 4*mib)
	a.AddRange(1*mib, 2*mib)
	seen := map[uint64]bool{}
	for i := 0; i < 256; i++ {
		pa, ok := a.Alloc()
		if !ok {
			t.Fatalf("Alloc %d failed", i)
		}
		if pa < 1*mib || pa >= 2*mib || pa%PageSize != 0 || seen[pa] {
			t.Fatalf("Alloc %d returned bad frame %#x", i, pa)
		}
		seen[pa] = true
	}
	for i := 0; i < 3; i++ {
		if pa, ok := a.Alloc(); ok {
			t.Fatalf("Alloc after exhaustion returned %#x", pa)
		}
	}
	if _, ok := a.AllocContig(1, 1); ok {
		t.Fatal("AllocContig after exhaustion succeeded")
	}
	if !a.Free(1*mib + 0x5000) {
		t.Fatal("Free failed")
	}
	if pa, ok := a.Alloc(); !ok || pa != 1*mib+0x5000 {
		t.Fatalf("Alloc after free = %#x,%v", pa, ok)
	}
}

func TestNextFit(t *testing.T) {
	a := newAlloc(t, 1*mib)
	a.AddRange(0, 1*mib)
	p1, _ := a.Alloc()
	p2, _ := a.Alloc()
	a.Free(p1)
	// Next-fit: the freed frame is not reused until the scan wraps.
	p3, _ := a.Alloc()
	if p3 == p1 || p3 <= p2 {
		t.Fatalf("Alloc after free = %#x (p1 %#x, p2 %#x)", p3, p1, p2)
	}
}

func TestBadFrees(t *testing.T) {
	a := newAlloc(t, 1*mib)
	a.AddRange(0, 1*mib)
	pa, _ := a.Alloc()
	before := a.Stats()
	cases := []uint64{pa + 1, pa + 0x800, 1 * mib, 1<<64 - PageSize, pa + PageSize /* free */}
	for _, bad := range cases {
		if a.Free(bad) {
			t.Errorf("Free(%#x) succeeded", bad)
		}
	}
	if !a.Free(pa) {
		t.Fatal("good Free failed")
	}
	if a.Free(pa) {
		t.Fatal("double Free succeeded")
	}
	s := a.Stats()
	if s.BadFrees != uint64(len(cases))+1 || s.Free != before.Free+1 || s.Total != before.Total {
		t.Fatalf("stats after bad frees: %+v (before %+v)", s, before)
	}
	for _, n := range []int{0, -1, 1 << 40} {
		if a.FreeContig(0, n) {
			t.Errorf("FreeContig(0, %d) succeeded", n)
		}
	}
}

func TestContig(t *testing.T) {
	a := newAlloc(t, 16*mib)
	a.AddRange(0x1000, 16*mib)
	a.ReserveRange(0x200000, 0x201000) // a hole at 2 MiB
	pa, ok := a.AllocContig(512, 512)
	if !ok || pa != 4*mib {
		t.Fatalf("AllocContig(512, 512) = %#x,%v want 4 MiB (0 is reserved, 2 MiB has a hole)", pa, ok)
	}
	for f := pa; f < pa+2*mib; f += PageSize {
		if !a.Allocated(f) {
			t.Fatalf("frame %#x not allocated", f)
		}
	}
	pb, ok := a.AllocContig(3, 4)
	if !ok || pb%(4*PageSize) != 0 || pb != 0x4000 {
		t.Fatalf("AllocContig(3, 4) = %#x,%v", pb, ok)
	}
	for _, c := range []struct{ n, align int }{{0, 1}, {-1, 1}, {1, 3}, {1, -2}, {5000, 1}, {1 << 30, 1}} {
		if p, ok := a.AllocContig(c.n, c.align); ok {
			t.Errorf("AllocContig(%d, %d) = %#x, want failure", c.n, c.align, p)
		}
	}
	// Wrong count: nothing freed.
	if a.FreeContig(pb, 4) {
		t.Fatal("FreeContig past the run succeeded")
	}
	if !a.Allocated(pb) {
		t.Fatal("failed FreeContig released a frame")
	}
	if !a.FreeContig(pb, 3) || a.Allocated(pb+2*PageSize) {
		t.Fatal("FreeContig of the run failed")
	}
	if !a.FreeContig(pa, 512) {
		t.Fatal("FreeContig 2 MiB failed")
	}
	if s := a.Stats(); s.Free != s.Total {
		t.Fatalf("frames still allocated: %+v", s)
	}
	// Alignment 1 with a fragmented bitmap.
	a2 := newAlloc(t, 1*mib)
	for f := uint64(0); f < 1*mib; f += 2 * PageSize {
		a2.AddRange(f, f+PageSize)
	}
	if _, ok := a2.AllocContig(2, 1); ok {
		t.Fatal("AllocContig(2) found a run in a checkerboard")
	}
	if p, ok := a2.AllocContig(1, 1); !ok || p != 0 {
		t.Fatalf("AllocContig(1,1) = %#x,%v", p, ok)
	}
}

func TestAllocLimit(t *testing.T) {
	a := newAlloc(t, 8*mib)
	a.AddRange(0, 8*mib)
	a.SetAllocLimit(1*mib + 0x800) // partial frame below the limit is excluded
	n := 0
	for {
		pa, ok := a.Alloc()
		if !ok {
			break
		}
		if pa+PageSize > 1*mib+0x800 {
			t.Fatalf("Alloc returned %#x above the limit", pa)
		}
		n++
	}
	if n != 256 {
		t.Fatalf("allocated %d frames below 1 MiB, want 256", n)
	}
	if _, ok := a.AllocContig(1, 1); ok {
		t.Fatal("AllocContig ignored the limit")
	}
	a.SetAllocLimit(0)
	if pa, ok := a.Alloc(); !ok || pa < 1*mib {
		t.Fatalf("Alloc after lifting the limit = %#x,%v", pa, ok)
	}
	if pa, ok := a.AllocContig(4, 256); !ok || pa != 2*mib {
		t.Fatalf("AllocContig after lifting the limit = %#x,%v", pa, ok)
	}
	a.SetAllocLimit(1 << 40) // above the bitmap: same as no limit
	if _, ok := a.Alloc(); !ok {
		t.Fatal("Alloc failed with a limit above RAM")
	}
}

func TestFrameSourceMethods(t *testing.T) {
	a := newAlloc(t, 1*mib)
	a.AddRange(0, 1*mib)
	pa, ok := a.AllocFrame()
	if !ok || !a.Allocated(pa) {
		t.Fatal("AllocFrame failed")
	}
	a.FreeFrame(pa)
	if a.Allocated(pa) {
		t.Fatal("FreeFrame did not free")
	}
}

func TestNoAllocs(t *testing.T) {
	a := newAlloc(t, 64*mib)
	a.AddRange(0, 64*mib)
	n := testing.AllocsPerRun(1000, func() {
		pa, _ := a.Alloc()
		pc, _ := a.AllocContig(8, 8)
		a.Free(pa)
		a.FreeContig(pc, 8)
		a.Free(1) // bad
		a.AddRange(0, 1*mib)
		a.ReserveRange(63*mib, 64*mib)
		_ = a.Stats()
	})
	if n != 0 {
		t.Fatalf("allocator allocates: %v allocs per run", n)
	}
}

func BenchmarkAllocFree(b *testing.B) {
	a := newAlloc(b, 1<<32)
	a.AddRange(0, 1<<32)
	var held [64]uint64
	for i := range held {
		held[i], _ = a.Alloc()
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		j := i % len(held)
		a.Free(held[j])
		held[j], _ = a.Alloc()
	}
}
