package vm

import (
	"testing"

	"golang.org/x/sys/unix"
)

// Advice over a whole address space drops ordinary pages but leaves a
// loaded segment's (which Linux would read back from the file); munmap
// and a new mapping end the retention.
func TestRetainedSegmentsSurviveAdvice(t *testing.T) {
	e := newEnv(t, 256, userLo, userHi)
	code := e.mmap(t, 0x400000, 3*PageSize, rw, fixed)
	data := e.mmap(t, 0x403000, 2*PageSize, rw, fixed) // touching the code area
	heap := e.mmap(t, 0x800000, 2*PageSize, rw, fixed)
	for _, va := range []uint64{code, code + 2*PageSize, data, data + PageSize, heap} {
		e.poke(t, va, va)
	}
	if errno := e.as.Retain(code, 3*PageSize); errno != 0 {
		t.Fatal(errno)
	}
	if errno := e.as.Retain(data+PageSize, PageSize); errno != 0 {
		t.Fatal(errno)
	}
	// The madvise(0, 2^47, MADV_DONTNEED) of the hardening report.
	if errno := e.as.Madvise(0, 1<<47, unix.MADV_DONTNEED); errno != unix.ENOMEM {
		t.Fatalf("Madvise over holes = %v, want ENOMEM", errno)
	}
	for va, want := range map[uint64]uint64{
		code: code, code + 2*PageSize: code + 2*PageSize, // retained
		data: 0, data + PageSize: data + PageSize, heap: 0,
	} {
		if got := e.peek(t, va); got != want {
			t.Errorf("word at %#x = %#x after advice, want %#x", va, got, want)
		}
	}
	// munmap ends the retention: a new mapping there is ordinary memory.
	if errno := e.as.Munmap(code, PageSize); errno != 0 {
		t.Fatal(errno)
	}
	e.mmap(t, code, PageSize, rw, fixed)
	e.poke(t, code+PageSize, 7)
	e.as.Madvise(code, 3*PageSize, unix.MADV_DONTNEED)
	if got := e.peek(t, code+PageSize); got != 0 {
		t.Errorf("the rest of an unmapped segment kept its page through advice: %#x", got)
	}
}

func TestRetainErrors(t *testing.T) {
	e := newEnv(t, 64, userLo, userHi)
	a := e.mmap(t, 0x400000, PageSize, rw, fixed)
	for _, c := range []struct {
		addr, n uint64
		want    unix.Errno
	}{
		{a + 1, PageSize, unix.EINVAL},
		{a, 0, unix.EINVAL},
		{a, 2 * PageSize, unix.ENOMEM}, // not all mapped
		{^uint64(0) &^ (PageSize - 1), 2 * PageSize, unix.EINVAL},
	} {
		if errno := e.as.Retain(c.addr, c.n); errno != c.want {
			t.Errorf("Retain(%#x, %#x) = %v, want %v", c.addr, c.n, errno, c.want)
		}
	}
	for range MaxRetained {
		if errno := e.as.Retain(a, PageSize); errno != 0 {
			t.Fatal(errno)
		}
	}
	if errno := e.as.Retain(a, PageSize); errno != unix.ENOMEM {
		t.Errorf("Retain past MaxRetained = %v, want ENOMEM", errno)
	}
}
