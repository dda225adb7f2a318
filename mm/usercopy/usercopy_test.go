package usercopy

import (
	"bytes"
	"testing"

	"golang.org/x/sys/unix"
)

const page = 4096

// fakeSpace is user memory of pages that are readable, writable or
// absent, recording every resolution.
type fakeSpace struct {
	base     uint64
	mem      []byte
	readOnly map[uint64]bool // page addresses
	hole     map[uint64]bool
	resolved []uint64 // lengths, in order
	// onResolve runs at each resolution, like another thread or process
	// changing the space between chunks.
	onResolve func(addr uint64)
	// last marks the bytes the most recent view covered.
	lastLo, lastHi uint64
}

func newSpace(base uint64, pages int) *fakeSpace {
	return &fakeSpace{base: base, mem: make([]byte, pages*page), readOnly: map[uint64]bool{}, hole: map[uint64]bool{}}
}

func (s *fakeSpace) Resolve(addr, n uint64, write bool) ([]byte, unix.Errno) {
	if s.onResolve != nil {
		s.onResolve(addr)
	}
	s.resolved = append(s.resolved, n)
	if n > Chunk {
		panic("resolution larger than a chunk")
	}
	if addr < s.base || addr+n > s.base+uint64(len(s.mem)) {
		return nil, unix.EFAULT
	}
	for pg := addr &^ (page - 1); pg < addr+n; pg += page {
		if s.hole[pg] || write && s.readOnly[pg] {
			return nil, unix.EFAULT
		}
	}
	s.lastLo, s.lastHi = addr, addr+n
	return s.mem[addr-s.base : addr-s.base+n], 0
}

func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i>>8)
	}
	return b
}

func TestOutInRoundTrip(t *testing.T) {
	s := newSpace(0x10000, 64) // 256 KiB
	for _, tc := range []struct{ off, n int }{{0, 0}, {0, 1}, {5, Chunk}, {Chunk - 3, 10}, {100, 3*Chunk + 17}} {
		src := pattern(tc.n)
		addr := s.base + uint64(tc.off)
		n, e := Out(s, addr, src)
		if n != tc.n || e != 0 {
			t.Fatalf("Out(%#x, %d) = %d, %v", addr, tc.n, n, e)
		}
		dst := make([]byte, tc.n)
		if n, e := In(s, dst, addr); n != tc.n || e != 0 || !bytes.Equal(dst, src) {
			t.Fatalf("In(%#x, %d) = %d, %v, equal %v", addr, tc.n, n, e, bytes.Equal(dst, src))
		}
	}
}

func TestChunksAreAlignedAndBounded(t *testing.T) {
	s := newSpace(0x10000, 64)
	addr := s.base + 100
	n := uint64(3*Chunk + 17)
	var seen []uint64
	got, e := Visit(s, addr, n, true, func(b []byte) bool {
		seen = append(seen, s.lastLo)
		return true
	})
	if got != n || e != 0 {
		t.Fatalf("Visit = %d, %v", got, e)
	}
	want := []uint64{Chunk - 100, Chunk, Chunk, 117}
	if len(s.resolved) != len(want) {
		t.Fatalf("resolved %v, want %v", s.resolved, want)
	}
	for i := range want {
		if s.resolved[i] != want[i] {
			t.Fatalf("resolved %v, want %v", s.resolved, want)
		}
		if i > 0 && seen[i]%Chunk != 0 {
			t.Fatalf("chunk %d starts at %#x, not on a chunk boundary", i, seen[i])
		}
	}
}

// Each chunk is resolved just before it is used: a later chunk's
// resolution happens after the earlier chunk's callback, so nothing is
// backed ahead of the copy.
func TestResolveInterleavesWithUse(t *testing.T) {
	s := newSpace(0x10000, 64)
	var log []string
	s.onResolve = func(uint64) { log = append(log, "resolve") }
	Visit(s, s.base, 3*Chunk, false, func([]byte) bool {
		log = append(log, "use")
		return true
	})
	want := "resolve use resolve use resolve use"
	if got := join(log); got != want {
		t.Fatalf("order %q, want %q", got, want)
	}
}

func join(s []string) string {
	var b bytes.Buffer
	for i, x := range s {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(x)
	}
	return b.String()
}

func TestPartialCopyStopsAtHole(t *testing.T) {
	s := newSpace(0x10000, 64)
	s.hole[s.base+Chunk+page] = true // second chunk's second page
	src := pattern(3 * Chunk)
	n, e := Out(s, s.base, src)
	if n != Chunk || e != unix.EFAULT {
		t.Fatalf("Out over a hole = %d, %v; want %d, EFAULT", n, e, Chunk)
	}
	if !bytes.Equal(s.mem[:Chunk], src[:Chunk]) {
		t.Fatal("the chunk before the hole was not copied")
	}
	if !bytes.Equal(s.mem[Chunk:2*Chunk], make([]byte, Chunk)) {
		t.Fatal("bytes of the chunk holding the hole were written")
	}
}

func TestWriteToReadOnly(t *testing.T) {
	s := newSpace(0x10000, 4)
	s.readOnly[s.base] = true
	if n, e := Out(s, s.base, []byte{1}); n != 0 || e != unix.EFAULT {
		t.Fatalf("Out to read-only = %d, %v", n, e)
	}
	if n, e := In(s, make([]byte, 1), s.base); n != 1 || e != 0 {
		t.Fatalf("In from read-only = %d, %v", n, e)
	}
}

// A range that goes away between chunks (a sibling thread's munmap, or
// the window showing another process) fails with EFAULT at that chunk.
func TestRangeGoneBetweenChunks(t *testing.T) {
	s := newSpace(0x10000, 64)
	s.onResolve = func(addr uint64) {
		if addr >= s.base+Chunk {
			s.hole[s.base+Chunk] = true
		}
	}
	n, e := In(s, make([]byte, 2*Chunk), s.base)
	if n != Chunk || e != unix.EFAULT {
		t.Fatalf("In = %d, %v; want %d, EFAULT", n, e, Chunk)
	}
}

func TestOverflowingRanges(t *testing.T) {
	s := newSpace(0x10000, 4)
	if n, e := Visit(s, ^uint64(0)-10, 100, false, func([]byte) bool { return true }); n != 0 || e != unix.EFAULT {
		t.Fatalf("wrapping Visit = %d, %v", n, e)
	}
	if n, e := Visit(s, s.base, 1<<63, false, func([]byte) bool { return true }); n != 0 || e != unix.EFAULT {
		t.Fatalf("huge Visit = %d, %v", n, e)
	}
	if len(s.resolved) != 0 {
		t.Fatalf("resolved %v for ranges that cannot exist", s.resolved)
	}
	if n, e := Between(s, ^uint64(0)-10, s, s.base, 100); n != 0 || e != unix.EFAULT {
		t.Fatalf("wrapping Between = %d, %v", n, e)
	}
}

func TestVisitStopsWhenAsked(t *testing.T) {
	s := newSpace(0x10000, 64)
	calls := 0
	n, e := Visit(s, s.base, 4*Chunk, false, func([]byte) bool { calls++; return calls < 2 })
	if n != 2*Chunk || e != 0 || calls != 2 || len(s.resolved) != 2 {
		t.Fatalf("Visit = %d, %v after %d calls, %d resolutions", n, e, calls, len(s.resolved))
	}
}

func TestBetween(t *testing.T) {
	src := newSpace(0x10000, 64)
	dst := newSpace(0x800000, 64)
	copy(src.mem, pattern(len(src.mem)))
	// Misaligned on both sides, so pieces end at whichever boundary
	// comes first.
	n, e := Between(dst, dst.base+300, src, src.base+5000, 2*Chunk+1)
	if n != 2*Chunk+1 || e != 0 {
		t.Fatalf("Between = %d, %v", n, e)
	}
	if !bytes.Equal(dst.mem[300:300+2*Chunk+1], src.mem[5000:5000+2*Chunk+1]) {
		t.Fatal("Between copied the wrong bytes")
	}
	for _, k := range append(src.resolved, dst.resolved...) {
		if k > Chunk {
			t.Fatalf("a piece of %d bytes", k)
		}
	}
	dst.hole[dst.base+Chunk] = true
	if n, e := Between(dst, dst.base, src, src.base, 2*Chunk); n != Chunk || e != unix.EFAULT {
		t.Fatalf("Between into a hole = %d, %v", n, e)
	}
}

func TestVisitDoesNotAllocate(t *testing.T) {
	s := newSpace(0x10000, 64)
	src := pattern(3 * Chunk)
	allocs := testing.AllocsPerRun(10, func() {
		s.resolved = s.resolved[:0]
		Out(s, s.base+10, src)
		In(s, src, s.base+10)
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per copy", allocs)
	}
}
