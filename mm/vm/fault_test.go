package vm

import (
	"testing"

	"golang.org/x/sys/unix"

	"warren.dev/mm/pagetable"
)

func TestFault(t *testing.T) {
	e := newEnv(t, 64, userLo, 0x1_0000_0000)
	ro := e.mmap(t, 0x1000_0000, PageSize, unix.PROT_READ, fixed)
	wo := e.mmap(t, 0x1000_2000, PageSize, unix.PROT_WRITE, fixed)
	x := e.mmap(t, 0x1000_4000, PageSize, unix.PROT_EXEC, fixed)
	none := e.mmap(t, 0x1000_6000, PageSize, unix.PROT_NONE, fixed)
	for _, c := range []struct {
		addr        uint64
		write, exec bool
		want        FaultResult
	}{
		{0x1000_1000, false, false, MapErr},
		{0, false, false, MapErr},
		{1 << 63, false, false, MapErr},
		{ro + 5, false, false, Mapped},
		{ro, true, false, AccErr},
		{ro, false, true, AccErr},
		{wo, true, false, Mapped},
		{wo, false, false, Mapped}, // write implies read on x86
		{wo, false, true, AccErr},
		{x, false, true, Mapped},
		{x, false, false, Mapped},
		{x, true, false, AccErr},
		{none, false, false, AccErr},
		{none, true, false, AccErr},
	} {
		if r := e.as.Fault(c.addr, c.write, c.exec); r != c.want {
			t.Errorf("Fault(%#x, w=%v, x=%v) = %v, want %v", c.addr, c.write, c.exec, r, c.want)
		}
	}
	for _, c := range []struct {
		va   uint64
		want pagetable.Flags
	}{
		{ro, pagetable.Present | pagetable.User | pagetable.NoExecute},
		{wo, pagetable.Present | pagetable.User | pagetable.Writable | pagetable.NoExecute},
		{x, pagetable.Present | pagetable.User},
	} {
		if _, _, f, _ := e.pt.Lookup(c.va); f != c.want {
			t.Errorf("page %#x flags %#x, want %#x", c.va, f, c.want)
		}
	}
	// A second fault on a present page is spurious: Mapped, no new frame.
	n := e.mem.InUse()
	invals := e.tlb.invalidations
	if r := e.as.Fault(wo+8, true, false); r != Mapped || e.mem.InUse() != n || e.tlb.invalidations != invals+1 {
		t.Fatalf("spurious fault: %v, frames %d->%d", r, n, e.mem.InUse())
	}
	// New pages are zeroed, not left with the allocator's poison.
	if v := e.peek(t, ro); v != 0 {
		t.Fatalf("fresh page reads %#x", v)
	}
	if FaultResult(0).String() != "invalid" || OOM.String() == "" || MapErr.String() == "" || AccErr.String() == "" || Mapped.String() == "" {
		t.Fatal("FaultResult strings")
	}
	e.check(t)
}

func TestFaultOOM(t *testing.T) {
	e := newEnv(t, 64, userLo, 0x1_0000_0000)
	a := e.mmap(t, 0x1000_0000, 4*PageSize, rw, fixed)
	// An empty tree needs a data frame and three tables; fail at each step.
	for budget := 0; budget < 4; budget++ {
		e.mem.FailAfter(budget)
		if r := e.as.Fault(a, true, false); r != OOM {
			t.Fatalf("budget %d: Fault = %v", budget, r)
		}
		e.mem.FailAfter(-1)
		e.check(t)
		if e.mem.InUse() != 1 {
			t.Fatalf("budget %d: %d frames held after OOM", budget, e.mem.InUse())
		}
	}
	e.mem.FailAfter(0)
	if errno := e.as.Access(a, 10, true); errno != unix.ENOMEM {
		t.Fatalf("Access with no frames: %v", errno)
	}
	e.mem.FailAfter(-1)
	e.poke(t, a, 1)
	// Exhaust the frames for real.
	big := e.mmap(t, 0x2000_0000, 1024*PageSize, rw, fixed)
	var r FaultResult
	for p := big; p < big+1024*PageSize; p += PageSize {
		if r = e.as.Fault(p, true, false); r != Mapped {
			break
		}
	}
	if r != OOM {
		t.Fatalf("touching more pages than frames: %v", r)
	}
	e.check(t)
	if e.as.Munmap(big, 1024*PageSize) != 0 || e.peek(t, a) != 1 {
		t.Fatal("recovery after OOM failed")
	}
	e.check(t)
}

func TestAccessTranslate(t *testing.T) {
	excl := Range{0x1000_8000, 0x1000_a000}
	e := newEnv(t, 64, userLo, 0x1_0000_0000, excl)
	// A kernel page inside the excluded range must stay untouchable.
	if err := e.pt.Map(excl.Start, 0, PageSize, pagetable.Writable); err != nil {
		t.Fatal(err)
	}
	a := e.mmap(t, 0x1000_0000, 4*PageSize, rw, fixed)
	r := e.mmap(t, a+4*PageSize, 2*PageSize, unix.PROT_READ, fixed)
	e.mmap(t, excl.End, PageSize, rw, fixed)
	for _, c := range []struct {
		addr, length uint64
		write        bool
		want         unix.Errno
	}{
		{a + 100, 3 * PageSize, true, 0},
		{a, 6 * PageSize, false, 0},
		{a, 0, true, 0},
		{a, 6 * PageSize, true, unix.EFAULT},  // read-only tail
		{a, 7 * PageSize, false, unix.EFAULT}, // runs off the areas
		{a - PageSize, 2 * PageSize, false, unix.EFAULT},
		{excl.Start, 8, false, unix.EFAULT},
		{excl.Start - 8, 16, false, unix.EFAULT},
		{^uint64(0) - 4, 10, false, unix.EFAULT},
		{0x1000, 8, false, unix.EFAULT},
	} {
		if errno := e.as.Access(c.addr, c.length, c.write); errno != c.want {
			t.Errorf("Access(%#x, %#x, %v) = %v, want %v", c.addr, c.length, c.write, errno, c.want)
		}
	}
	if st := e.as.Stats(); st.Resident != 6 {
		t.Fatalf("Access faulted in %d pages, want 6", st.Resident)
	}
	for va := a; va < r+2*PageSize; va += PageSize {
		pa, ok := e.as.Translate(va + 7)
		want, _, _, _ := e.pt.Lookup(va + 7)
		if !ok || pa != want {
			t.Fatalf("Translate(%#x) = %#x, %v", va+7, pa, ok)
		}
	}
	for _, va := range []uint64{excl.Start, excl.End, 0x1000, 1 << 40, a + 8*PageSize} {
		if pa, ok := e.as.Translate(va); ok {
			t.Errorf("Translate(%#x) = %#x", va, pa)
		}
	}
	// munmap never touches the kernel page, even across the excluded range.
	if errno := e.as.Munmap(a, 16*PageSize); errno != 0 {
		t.Fatal(errno)
	}
	if _, _, _, ok := e.pt.Lookup(excl.Start); !ok {
		t.Fatal("munmap removed a kernel mapping")
	}
}
