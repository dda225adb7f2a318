package pagetable

import (
	"testing"

	"warren.dev/mm/internal/fakemem"
)

func TestFlagValues(t *testing.T) {
	// Intel SDM Vol. 3A §4.5, table 4-19 (4 KiB PTE) and 4-18 (2 MiB PDE).
	for _, c := range []struct {
		f    Flags
		want uint64
	}{
		{Present, 1}, {Writable, 2}, {User, 4}, {WriteThrough, 8}, {CacheDisable, 0x10},
		{Accessed, 0x20}, {Dirty, 0x40}, {Huge, 0x80}, {Global, 0x100}, {NoExecute, 1 << 63},
	} {
		if uint64(c.f) != c.want {
			t.Errorf("flag %#x, want %#x", uint64(c.f), c.want)
		}
	}
}

func TestCanonical(t *testing.T) {
	for va, want := range map[uint64]bool{
		0: true, 0x0000_7fff_ffff_ffff: true, 0x0000_8000_0000_0000: false,
		0xffff_7fff_ffff_ffff: false, 0xffff_8000_0000_0000: true, ^uint64(0): true,
		0x0001_0000_0000_0000: false,
	} {
		if Canonical(va) != want {
			t.Errorf("Canonical(%#x) = %v", va, !want)
		}
	}
}

func TestInit(t *testing.T) {
	pt, m := newTables(t, 4)
	if pt.TableFrames() != 1 || m.InUse() != 1 || pt.Root()%Size4K != 0 {
		t.Fatalf("after Init: tables %d, in use %d, root %#x", pt.TableFrames(), m.InUse(), pt.Root())
	}
	checkTree(t, pt, m)

	var none Tables
	if err := none.Init(nil, m); err != ErrNotReady {
		t.Fatalf("Init(nil) = %v", err)
	}
	// An uninitialised Tables refuses everything without panicking.
	if err := none.Map(0, 0, Size4K, 0); err != ErrNotReady {
		t.Fatalf("Map on zero Tables = %v", err)
	}
	if _, _, _, ok := none.Lookup(0); ok {
		t.Fatal("Lookup on zero Tables succeeded")
	}
	if _, _, ok := none.Unmap(0); ok {
		t.Fatal("Unmap on zero Tables succeeded")
	}
	if none.UnmapRange(0, Size4K, nil) != ErrNotReady || none.SetFlags(0, 0) != ErrNotReady ||
		none.MapRange(0, 0, Size4K, 0) != ErrNotReady || none.Walk(0, Size4K, nil) != ErrNotReady {
		t.Fatal("range ops on zero Tables did not fail")
	}

	dry := fakemem.New(ramBase, 1)
	dry.FailAfter(0)
	if err := new(Tables).Init(dry, dry); err != ErrNoFrames {
		t.Fatalf("Init without frames = %v", err)
	}
}

func TestMapLookupUnmapAllSizes(t *testing.T) {
	for _, base := range []uint64{lowVA, highVA, kernVA, 0} {
		pt, m := newTables(t, 64)
		pt.Allow1G = true
		const f = Present | Writable | NoExecute
		for _, c := range []struct{ va, pa, size uint64 }{
			{base, 0x1234_5000, Size4K},
			{base + Size2M, 0x4000_0000, Size2M},
			{base + Size1G, 0x80_0000_0000, Size1G},
		} {
			if err := pt.Map(c.va, c.pa, c.size, f); err != nil {
				t.Fatalf("Map(%#x, size %#x): %v", c.va, c.size, err)
			}
			want := f
			if c.size > Size4K {
				want |= Huge
			}
			mustLookup(t, pt, c.va, c.pa, c.size, want)
			mustLookup(t, pt, c.va+c.size-1, c.pa+c.size-1, c.size, want)
			mustLookup(t, pt, c.va+c.size/2+123, c.pa+c.size/2+123, c.size, want)
			mustNotMapped(t, pt, c.va+c.size)
		}
		checkTree(t, pt, m)
		for _, c := range []struct{ va, pa, size uint64 }{
			{base + Size1G, 0x80_0000_0000, Size1G},
			{base + Size2M, 0x4000_0000, Size2M},
			{base, 0x1234_5000, Size4K},
		} {
			pa, size, ok := pt.Unmap(c.va)
			if !ok || pa != c.pa || size != c.size {
				t.Fatalf("Unmap(%#x) = %#x, %#x, %v", c.va, pa, size, ok)
			}
			mustNotMapped(t, pt, c.va)
			if _, _, ok := pt.Unmap(c.va); ok {
				t.Fatal("second Unmap succeeded")
			}
			checkTree(t, pt, m)
		}
		if pt.TableFrames() != 1 || m.InUse() != 1 {
			t.Fatalf("base %#x: leaked tables: %d, in use %d", base, pt.TableFrames(), m.InUse())
		}
	}
}

func TestTopOfAddressSpace(t *testing.T) {
	pt, m := newTables(t, 16)
	top := uint64(0xffff_ffff_ffff_f000)
	if err := pt.Map(top, 0x5000, Size4K, Present); err != nil {
		t.Fatal(err)
	}
	mustLookup(t, pt, ^uint64(0), 0x5fff, Size4K, Present)
	var got []uint64
	if err := pt.UnmapRange(top, 0, func(pa, size uint64) { got = append(got, pa) }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0] != 0x5000 || pt.TableFrames() != 1 {
		t.Fatalf("UnmapRange to the top: %#x, tables %d", got, pt.TableFrames())
	}
	checkTree(t, pt, m)
}

func TestMapErrors(t *testing.T) {
	pt, m := newTables(t, 16)
	for _, c := range []struct {
		va, pa, size uint64
		flags        Flags
		want         error
	}{
		{0x0000_8000_0000_0000, 0, Size4K, 0, ErrNonCanonical},
		{0xffff_7fff_ffff_f000, 0, Size4K, 0, ErrNonCanonical},
		{0x1001, 0, Size4K, 0, ErrMisaligned},
		{0x1000, 0x123, Size4K, 0, ErrMisaligned},
		{Size4K, 0, Size2M, 0, ErrMisaligned},
		{0, Size4K, Size2M, 0, ErrMisaligned},
		{0, 0, Size1G, 0, ErrSize}, // Allow1G is off
		{0, 0, 8192, 0, ErrSize},
		{0, 0, 0, 0, ErrSize},
		{0, 1 << 52, Size4K, 0, ErrPhysAddr},
		{0, 0, Size4K, 1 << 12, ErrFlags},
		{0, 0, Size4K, 1 << 52, ErrFlags},
	} {
		if err := pt.Map(c.va, c.pa, c.size, c.flags); err != c.want {
			t.Errorf("Map(%#x, %#x, %#x, %#x) = %v, want %v", c.va, c.pa, c.size, c.flags, err, c.want)
		}
	}
	if pt.TableFrames() != 1 {
		t.Fatal("failed Map allocated tables")
	}
	// Huge in the flags is tolerated; the size decides.
	if err := pt.Map(0, 0, Size4K, Huge|Writable); err != nil {
		t.Fatal(err)
	}
	mustLookup(t, pt, 0, 0, Size4K, Present|Writable)
	// Software bits round-trip.
	if err := pt.Map(Size4K, 0, Size4K, Available); err != nil {
		t.Fatal(err)
	}
	mustLookup(t, pt, Size4K, 0, Size4K, Present|Available)
	checkTree(t, pt, m)
}

func TestMapReplaces(t *testing.T) {
	pt, m := newTables(t, 16)
	va := uint64(lowVA)
	pt.Map(va, 0x1000, Size4K, Writable)
	if err := pt.Map(va, 0x2000, Size4K, User); err != nil {
		t.Fatal(err)
	}
	mustLookup(t, pt, va, 0x2000, Size4K, Present|User)
	// 2 MiB over a table holding 4 KiB pages: refused, nothing changes.
	if err := pt.Map(va, 0x20_0000, Size2M, 0); err != ErrExists {
		t.Fatalf("Map 2M over 4K pages = %v", err)
	}
	mustLookup(t, pt, va, 0x2000, Size4K, Present|User)
	// 2 MiB over 2 MiB: replaced.
	pt.Map(va+Size2M, 0x20_0000, Size2M, 0)
	if err := pt.Map(va+Size2M, 0x40_0000, Size2M, Writable); err != nil {
		t.Fatal(err)
	}
	mustLookup(t, pt, va+Size2M+5, 0x40_0005, Size2M, Present|Writable|Huge)
	checkTree(t, pt, m)
}

func TestSplit2M(t *testing.T) {
	pt, m := newTables(t, 16)
	va, pa := uint64(kernVA), uint64(0x60_0000)
	const f = Present | Writable | Global | NoExecute
	if err := pt.Map(va, pa, Size2M, f); err != nil {
		t.Fatal(err)
	}
	// A 4 KiB Map inside splits the page; the other 511 keep theirs.
	if err := pt.Map(va+5*Size4K, 0xabc000, Size4K, Present|User); err != nil {
		t.Fatal(err)
	}
	for i := uint64(0); i < 512; i++ {
		if i == 5 {
			mustLookup(t, pt, va+i*Size4K, 0xabc000, Size4K, Present|User)
			continue
		}
		mustLookup(t, pt, va+i*Size4K, pa+i*Size4K, Size4K, f)
	}
	checkTree(t, pt, m)

	// SetFlags inside a fresh huge page.
	pt.Map(va+Size2M, pa, Size2M, f)
	if err := pt.SetFlags(va+Size2M+Size4K, Present); err != nil {
		t.Fatal(err)
	}
	mustLookup(t, pt, va+Size2M+Size4K, pa+Size4K, Size4K, Present)
	mustLookup(t, pt, va+Size2M, pa, Size4K, f)
	mustLookup(t, pt, va+2*Size2M-1, pa+Size2M-1, Size4K, f)

	// Unmap inside a huge page removes one 4 KiB page.
	pt.Map(va+2*Size2M, pa, Size2M, f)
	gotPA, size, ok := pt.Unmap(va + 2*Size2M + 7*Size4K)
	if !ok || gotPA != pa+7*Size4K || size != Size4K {
		t.Fatalf("Unmap inside huge = %#x, %#x, %v", gotPA, size, ok)
	}
	mustNotMapped(t, pt, va+2*Size2M+7*Size4K)
	mustLookup(t, pt, va+2*Size2M+8*Size4K, pa+8*Size4K, Size4K, f)
	// Unmap at the base of a huge page removes all of it.
	pt.Map(va+3*Size2M, pa, Size2M, f)
	if gotPA, size, ok := pt.Unmap(va + 3*Size2M); !ok || gotPA != pa || size != Size2M {
		t.Fatalf("Unmap at huge base = %#x, %#x, %v", gotPA, size, ok)
	}
	checkTree(t, pt, m)
}

func TestSplit1G(t *testing.T) {
	pt, m := newTables(t, 16)
	pt.Allow1G = true
	va, pa := uint64(highVA+Size1G), uint64(0x40_0000_0000)
	if err := pt.Map(va, pa, Size1G, Writable); err != nil {
		t.Fatal(err)
	}
	// A 4 KiB operation two levels down splits twice.
	if err := pt.SetFlags(va+Size2M+Size4K, 0); err != nil {
		t.Fatal(err)
	}
	mustLookup(t, pt, va+Size2M+Size4K, pa+Size2M+Size4K, Size4K, Present)
	mustLookup(t, pt, va+Size2M, pa+Size2M, Size4K, Present|Writable)
	mustLookup(t, pt, va, pa, Size2M, Present|Writable|Huge)
	mustLookup(t, pt, va+Size1G-1, pa+Size1G-1, Size2M, Present|Writable|Huge)
	if pt.TableFrames() != 4 {
		t.Fatalf("tables = %d, want root, PDPT, PD, PT", pt.TableFrames())
	}
	// A 2 MiB Map inside a 1 GiB page splits once.
	pt.Map(va+Size1G, pa, Size1G, Writable)
	if err := pt.Map(va+Size1G+4*Size2M, 0, Size2M, User); err != nil {
		t.Fatal(err)
	}
	mustLookup(t, pt, va+Size1G+4*Size2M, 0, Size2M, Present|User|Huge)
	mustLookup(t, pt, va+Size1G+5*Size2M, pa+5*Size2M, Size2M, Present|Writable|Huge)
	checkTree(t, pt, m)
	if err := pt.UnmapRange(va, va+2*Size1G, nil); err != nil {
		t.Fatal(err)
	}
	if pt.TableFrames() != 1 || m.InUse() != 1 {
		t.Fatalf("leak: tables %d, in use %d", pt.TableFrames(), m.InUse())
	}
}

func TestSplitKeepsPAT(t *testing.T) {
	var child [512]uint64
	huge := uint64(0x20_0000) | patHuge | uint64(Present|Writable|Huge|NoExecute)
	fillSplit(&child, huge, 1)
	if want := uint64(0x20_1000) | patSmall | uint64(Present|Writable|NoExecute); child[1] != want {
		t.Fatalf("2M split child = %#x, want %#x", child[1], want)
	}
	giant := uint64(0x4000_0000) | patHuge | uint64(Present|Huge)
	fillSplit(&child, giant, 2)
	if want := uint64(0x4020_0000) | patHuge | uint64(Present|Huge); child[1] != want {
		t.Fatalf("1G split child = %#x, want %#x", child[1], want)
	}
	// SetFlags keeps PAT and the address.
	if e := setLeafFlags(child[1], Writable); e != 0x4020_0000|patHuge|uint64(Present|Huge|Writable) {
		t.Fatalf("setLeafFlags = %#x", e)
	}
}

func TestOutOfFrames(t *testing.T) {
	pt, m := newTables(t, 16)
	va := uint64(lowVA)
	for budget := 0; budget < 3; budget++ {
		m.FailAfter(budget) // a 4 KiB map into an empty tree needs 3
		if err := pt.Map(va, 0x1000, Size4K, 0); err != ErrNoFrames {
			t.Fatalf("budget %d: Map = %v", budget, err)
		}
		if pt.TableFrames() != 1 || m.InUse() != 1 {
			t.Fatalf("budget %d: failed Map kept frames", budget)
		}
		mustNotMapped(t, pt, va)
	}
	m.FailAfter(-1)
	pt.Map(va, 0x20_0000, Size2M, Writable)
	m.FailAfter(0)
	if err := pt.Map(va+Size4K, 0, Size4K, 0); err != ErrNoFrames {
		t.Fatalf("split without frames = %v", err)
	}
	if err := pt.SetFlags(va+Size4K, 0); err != ErrNoFrames {
		t.Fatalf("split SetFlags without frames = %v", err)
	}
	if _, _, ok := pt.Unmap(va + Size4K); ok {
		t.Fatal("split Unmap without frames succeeded")
	}
	if err := pt.UnmapRange(va+Size4K, va+2*Size4K, nil); err != ErrNoFrames {
		t.Fatalf("split UnmapRange without frames = %v", err)
	}
	if err := pt.SetFlagsRange(va, va+Size4K, 0); err != ErrNoFrames {
		t.Fatalf("split SetFlagsRange without frames = %v", err)
	}
	mustLookup(t, pt, va+Size4K, 0x20_1000, Size2M, Present|Writable|Huge)
	checkTree(t, pt, m)
	// MapRange rolls back what it mapped.
	m.FailAfter(-1)
	before := pt.TableFrames()
	m.FailAfter(1) // a new PD for the 2 MiB pages, no PT for the last page
	if err := pt.MapRange(lowVA+Size1G, 0, 4*Size2M+Size4K, Writable); err != ErrNoFrames {
		// 2M pages fit in one new PD; the trailing 4K page needs a PT.
		t.Fatalf("MapRange short of frames = %v", err)
	}
	m.FailAfter(-1)
	mustNotMapped(t, pt, lowVA+Size1G)
	if pt.TableFrames() != before {
		t.Fatalf("MapRange rollback leaked: %d tables, had %d", pt.TableFrames(), before)
	}
	checkTree(t, pt, m)
}

func TestUnmapRange(t *testing.T) {
	pt, m := newTables(t, 64)
	va := uint64(lowVA)
	// 4K pages, a 2M page, 4K pages straddling a 1G boundary.
	for i := uint64(0); i < 4; i++ {
		pt.Map(va+i*Size4K, 0x1000*(i+1), Size4K, Writable)
	}
	pt.Map(va+Size2M, 0x40_0000, Size2M, Writable)
	edge := uint64(lowVA + Size1G)
	pt.Map(edge-Size4K, 0x9000, Size4K, 0)
	pt.Map(edge, 0xa000, Size4K, 0)
	if pt.TableFrames() != 7 { // root, PDPT, 2 PDs, 3 PTs
		t.Fatalf("tables = %d", pt.TableFrames())
	}
	// Unmapping an empty range or the gaps does nothing.
	if err := pt.UnmapRange(va+4*Size4K, va+Size2M, func(pa, size uint64) { t.Fatal("callback in a gap") }); err != nil {
		t.Fatal(err)
	}
	var sum uint64
	var n int
	if err := pt.UnmapRange(va, edge+Size1G, func(pa, size uint64) { sum += size; n++ }); err != nil {
		t.Fatal(err)
	}
	if n != 7 || sum != 6*Size4K+Size2M {
		t.Fatalf("UnmapRange reported %d pages, %#x bytes", n, sum)
	}
	if pt.TableFrames() != 1 || m.InUse() != 1 {
		t.Fatalf("intermediate tables not freed: %d tables, %d frames", pt.TableFrames(), m.InUse())
	}
	// A range cutting a huge page splits it and keeps the outside.
	pt.Map(va, 0x40_0000, Size2M, Writable)
	var got [][2]uint64
	if err := pt.UnmapRange(va+Size4K, va+3*Size4K, func(pa, size uint64) { got = append(got, [2]uint64{pa, size}) }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0] != [2]uint64{0x40_1000, Size4K} || got[1] != [2]uint64{0x40_2000, Size4K} {
		t.Fatalf("UnmapRange in a huge page reported %#x", got)
	}
	mustLookup(t, pt, va, 0x40_0000, Size4K, Present|Writable)
	mustLookup(t, pt, va+3*Size4K, 0x40_3000, Size4K, Present|Writable)
	checkTree(t, pt, m)

	for _, c := range [][2]uint64{
		{va + 1, va + Size4K}, {va, va + 1}, {va + Size4K, va},
		{0x0000_7fff_ffff_f000, 0xffff_8000_0000_1000}, {0x0000_8000_0000_0000, 0x0000_8000_0000_1000},
		{0x1000, 0},
	} {
		if err := pt.UnmapRange(c[0], c[1], nil); err == nil {
			t.Errorf("UnmapRange(%#x, %#x) accepted", c[0], c[1])
		}
	}
	// The end of the low half is a valid exclusive end.
	if err := pt.UnmapRange(0x0000_7fff_ffff_f000, 0x0000_8000_0000_0000, nil); err != nil {
		t.Fatal(err)
	}
}

func TestMapRange(t *testing.T) {
	pt, m := newTables(t, 64)
	pt.Allow1G = true
	va, pa := uint64(highVA+Size1G-Size2M-Size4K), uint64(Size1G-Size2M-Size4K)
	length := uint64(Size4K + Size2M + Size1G + Size2M + Size4K)
	if err := pt.MapRange(va, pa, length, Writable|Global); err != nil {
		t.Fatal(err)
	}
	var sizes []uint64
	pt.Walk(va, va+length, func(v, p, size uint64, f Flags) {
		if p-pa != v-va {
			t.Fatalf("Walk: va %#x -> pa %#x off by %#x", v, p, (p-pa)-(v-va))
		}
		sizes = append(sizes, size)
	})
	want := []uint64{Size4K, Size2M, Size1G, Size2M, Size4K}
	if len(sizes) != len(want) {
		t.Fatalf("page sizes %#x, want %#x", sizes, want)
	}
	for i := range want {
		if sizes[i] != want[i] {
			t.Fatalf("page sizes %#x, want %#x", sizes, want)
		}
	}
	for off := uint64(0); off < length; off += 0x1f_3000 {
		if p, _, _, ok := pt.Lookup(va + off); !ok || p != pa+off {
			t.Fatalf("Lookup(+%#x) = %#x, %v", off, p, ok)
		}
	}
	checkTree(t, pt, m)
	pt.UnmapRange(va, va+length, nil)
	if pt.TableFrames() != 1 {
		t.Fatal("leaked tables")
	}

	// Without Allow1G the gigabyte goes in 2 MiB pages; mismatched va/pa
	// alignment forces 4 KiB pages.
	pt.Allow1G = false
	pt.MapRange(lowVA, 0, Size1G, 0)
	if _, size, _, _ := pt.Lookup(lowVA); size != Size2M {
		t.Fatalf("size without Allow1G = %#x", size)
	}
	pt.MapRange(lowVA+Size1G, Size4K, Size2M, 0)
	if _, size, _, _ := pt.Lookup(lowVA + Size1G); size != Size4K {
		t.Fatalf("size with misaligned pa = %#x", size)
	}
	// Over existing 4K pages a 2M chunk falls back to 4K pages.
	pt.Map(lowVA+2*Size1G+Size4K, 0, Size4K, 0)
	if err := pt.MapRange(lowVA+2*Size1G, 0, Size2M, Writable); err != nil {
		t.Fatal(err)
	}
	mustLookup(t, pt, lowVA+2*Size1G+Size4K, Size4K, Size4K, Present|Writable)
	checkTree(t, pt, m)

	for _, c := range []struct {
		va, pa, length uint64
		want           error
	}{
		{1, 0, Size4K, ErrMisaligned}, {0, 1, Size4K, ErrMisaligned}, {0, 0, 1, ErrMisaligned},
		{0xffff_ffff_ffff_f000, 0, 2 * Size4K, ErrRange},
		{0x0000_7fff_ffff_f000, 0, 2 * Size4K, ErrNonCanonical},
		{0, 1<<52 - Size4K, 2 * Size4K, ErrPhysAddr},
	} {
		if err := pt.MapRange(c.va, c.pa, c.length, 0); err != c.want {
			t.Errorf("MapRange(%#x, %#x, %#x) = %v, want %v", c.va, c.pa, c.length, err, c.want)
		}
	}
	if err := pt.MapRange(0, 0, 0, 0); err != nil {
		t.Fatalf("empty MapRange = %v", err)
	}
}

func TestSetFlags(t *testing.T) {
	pt, m := newTables(t, 16)
	va := uint64(lowVA)
	if err := pt.SetFlags(va, Writable); err != ErrNotMapped {
		t.Fatalf("SetFlags unmapped = %v", err)
	}
	pt.MapRange(va, 0x20_0000, 2*Size2M, Writable|NoExecute)
	if err := pt.SetFlags(va, User); err != nil { // at a huge base: whole page
		t.Fatal(err)
	}
	mustLookup(t, pt, va+Size2M-1, 0x3f_ffff, Size2M, Present|User|Huge)
	for _, c := range []struct {
		va   uint64
		f    Flags
		want error
	}{
		{va + 1, 0, ErrMisaligned}, {0x0000_8000_0000_0000, 0, ErrNonCanonical}, {va, 1 << 12, ErrFlags},
	} {
		if err := pt.SetFlags(c.va, c.f); err != c.want {
			t.Errorf("SetFlags(%#x, %#x) = %v, want %v", c.va, c.f, err, c.want)
		}
	}
	// SetFlagsRange over part of the second huge page splits it.
	if err := pt.SetFlagsRange(va+Size2M-Size4K, va+Size2M+Size4K, Global); err != nil {
		t.Fatal(err)
	}
	mustLookup(t, pt, va+Size2M-Size4K, 0x3f_f000, Size4K, Present|Global)
	mustLookup(t, pt, va+Size2M, 0x40_0000, Size4K, Present|Global)
	mustLookup(t, pt, va+Size2M+Size4K, 0x40_1000, Size4K, Present|Writable|NoExecute)
	mustLookup(t, pt, va, 0x20_0000, Size4K, Present|User)
	if err := pt.SetFlagsRange(va, va+Size4K, 1<<12); err != ErrFlags {
		t.Fatalf("SetFlagsRange bad flags = %v", err)
	}
	checkTree(t, pt, m)
}

func TestWalkHalves(t *testing.T) {
	pt, m := newTables(t, 32)
	vas := []uint64{0, lowVA, 0x0000_7fff_ffff_f000, highVA, kernVA, 0xffff_ffff_ffff_f000}
	for i, va := range vas {
		pt.Map(va, uint64(i)*Size4K, Size4K, 0)
	}
	var got []uint64
	pt.Walk(0, 0x0000_8000_0000_0000, func(va, pa, size uint64, f Flags) { got = append(got, va) })
	pt.Walk(highVA, 0, func(va, pa, size uint64, f Flags) { got = append(got, va) })
	if len(got) != len(vas) {
		t.Fatalf("Walk saw %#x", got)
	}
	for i := range vas {
		if got[i] != vas[i] {
			t.Fatalf("Walk saw %#x, want %#x", got, vas)
		}
	}
	checkTree(t, pt, m)
}

func TestNoAllocs(t *testing.T) {
	pt, m := newTables(t, 64)
	var freed uint64
	cb := func(pa, size uint64) { freed += size }
	n := testing.AllocsPerRun(200, func() {
		pt.Map(lowVA, 0x1000, Size4K, Writable)
		pt.Map(lowVA+Size2M, 0x20_0000, Size2M, Writable)
		pt.Lookup(lowVA)
		pt.SetFlags(lowVA, User)
		pt.Map(lowVA+Size2M+Size4K, 0, Size4K, 0) // split
		pt.Unmap(lowVA)
		pt.Map(kernVA, 0, Size4K, 0)
		pt.SetFlagsRange(lowVA, lowVA+Size1G, Writable)
		pt.UnmapRange(lowVA, lowVA+Size1G, cb)
		pt.MapRange(highVA, 0, Size2M+Size4K, 0)
		pt.UnmapRange(highVA, highVA+Size1G, func(pa, size uint64) { freed += size })
		pt.Map(1<<48, 0, Size4K, 0) // error path
	})
	if n != 0 {
		t.Fatalf("%v allocations per run", n)
	}
	checkTree(t, pt, m)
}
