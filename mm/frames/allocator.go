package frames

import "math/bits"

// PageSize is the size of one frame.
const PageSize = 4096

// Each frame is in one of three states, kept in two bitmaps so that a bad
// free can be told apart from a good one:
//
//	reserved  free=0 used=0  (not RAM, or owned by someone else)
//	free      free=1 used=0
//	allocated free=0 used=1

// Allocator hands out frames below a physical limit. The zero value has no
// frames; Init gives it storage.
type Allocator struct {
	free, used []uint64
	nframes    uint64 // frames the bitmaps describe
	allocLimit uint64 // frames at or above this index are never handed out
	hint       uint64 // frame where the next Alloc scan starts (next-fit)
	total      uint64 // free + allocated
	nfree      uint64
	badFrees   uint64
}

// Stats describes the allocator's state.
type Stats struct {
	Total    uint64 // frames managed: free plus allocated
	Free     uint64 // frames available
	BadFrees uint64 // rejected Free/FreeContig calls
}

// BitmapWords returns how many uint64 words Init needs to describe every
// frame below limit.
func BitmapWords(limit uint64) int {
	return int(2 * wordsFor(limit/PageSize))
}

func wordsFor(frames uint64) uint64 { return (frames + 63) / 64 }

// Init makes the allocator describe frames below limit, all reserved, using
// bitmap as storage. A bitmap shorter than BitmapWords(limit) lowers the
// limit to what it can describe rather than failing.
// Called once at boot: it keeps a reference to bitmap.
func (a *Allocator) Init(bitmap []uint64, limit uint64) {
	n := limit / PageSize
	w := wordsFor(n)
	if 2*w > uint64(len(bitmap)) {
		w = uint64(len(bitmap)) / 2
		if n > w*64 {
			n = w * 64
		}
	}
	*a = Allocator{
		free:       bitmap[:w:w],
		used:       bitmap[w : 2*w : 2*w],
		nframes:    n,
		allocLimit: n,
	}
	clear(a.free)
	clear(a.used)
}

// AddRange marks the frames wholly inside [start, end) available. Partial
// frames at either end are left alone since they are not entirely RAM.
// Allocated frames stay allocated.
// Context: kernel (no allocation, no pointer stores).
func (a *Allocator) AddRange(start, end uint64) {
	lo := start/PageSize + b2u(start%PageSize != 0)
	hi := min(end/PageSize, a.nframes)
	for w := lo / 64; lo < hi && w <= (hi-1)/64; w++ {
		add := wordMask(w, lo, hi) &^ a.free[w] &^ a.used[w]
		a.free[w] |= add
		a.nfree += popcount(add)
		a.total += popcount(add)
	}
}

// ReserveRange marks every frame touching [start, end) reserved, whatever
// its state; a later Free of such a frame counts as bad.
// Context: kernel (no allocation, no pointer stores).
func (a *Allocator) ReserveRange(start, end uint64) {
	lo := start / PageSize
	hi := min(end/PageSize+b2u(end%PageSize != 0), a.nframes)
	for w := lo / 64; lo < hi && w <= (hi-1)/64; w++ {
		m := wordMask(w, lo, hi)
		f, u := a.free[w]&m, a.used[w]&m
		a.free[w] &^= m
		a.used[w] &^= m
		a.nfree -= popcount(f)
		a.total -= popcount(f) + popcount(u)
	}
}

// SetAllocLimit keeps Alloc and AllocContig below physical address pa (early
// boot wants frames the initial direct map covers); 0 removes the limit.
// Context: kernel (no allocation, no pointer stores).
func (a *Allocator) SetAllocLimit(pa uint64) {
	a.allocLimit = a.nframes
	if pa != 0 && pa/PageSize < a.nframes {
		a.allocLimit = pa / PageSize
	}
}

// Alloc returns a free frame, scanning a word at a time onwards from the
// last frame it handed out (next-fit), so freed frames are not reused at once.
// Context: kernel (no allocation, no pointer stores).
func (a *Allocator) Alloc() (pa uint64, ok bool) {
	if a.nfree == 0 {
		return 0, false
	}
	if a.hint >= a.allocLimit {
		a.hint = 0
	}
	if f, ok := a.nextFree(a.hint, a.allocLimit); ok {
		return a.alloc1(f), true
	}
	if f, ok := a.nextFree(0, a.hint); ok {
		return a.alloc1(f), true
	}
	return 0, false
}

func (a *Allocator) alloc1(f uint64) uint64 {
	a.take(f, f+1)
	a.hint = f + 1
	return f * PageSize
}

// AllocContig returns n physically contiguous frames whose first frame is
// aligned to alignPages frames (a power of two; 0 means 1), for DMA rings
// and stacks. It searches first-fit from the bottom to limit fragmentation.
// Context: kernel (no allocation, no pointer stores).
func (a *Allocator) AllocContig(n int, alignPages int) (pa uint64, ok bool) {
	if alignPages == 0 {
		alignPages = 1
	}
	if n <= 0 || alignPages < 0 || alignPages&(alignPages-1) != 0 || uint64(n) > a.nfree {
		return 0, false
	}
	cnt, align := uint64(n), uint64(alignPages)
	f := uint64(0)
	for {
		next, found := a.nextFree(f, a.allocLimit)
		if !found {
			return 0, false
		}
		f = (next + align - 1) &^ (align - 1)
		if f < next || f > a.allocLimit || cnt > a.allocLimit-f {
			return 0, false
		}
		bad, hit := a.firstNotFree(f, f+cnt)
		if !hit {
			a.take(f, f+cnt)
			return f * PageSize, true
		}
		f = bad + 1
	}
}

// Free returns an allocated frame. Anything else (unaligned, out of range,
// free or reserved) is rejected, counted and otherwise ignored.
// Context: kernel (no allocation, no pointer stores).
func (a *Allocator) Free(pa uint64) bool {
	return a.FreeContig(pa, 1)
}

// FreeContig returns n frames starting at pa. Unless every one of them is
// allocated nothing is freed and one bad free is counted, so a wrong count
// cannot release someone else's frames.
// Context: kernel (no allocation, no pointer stores).
func (a *Allocator) FreeContig(pa uint64, n int) bool {
	f, cnt := pa/PageSize, uint64(n)
	if n <= 0 || pa%PageSize != 0 || f >= a.nframes || cnt > a.nframes-f {
		a.badFrees++
		return false
	}
	lo, hi := f, f+cnt
	for w := lo / 64; w <= (hi-1)/64; w++ {
		if wordMask(w, lo, hi)&^a.used[w] != 0 {
			a.badFrees++
			return false
		}
	}
	for w := lo / 64; w <= (hi-1)/64; w++ {
		m := wordMask(w, lo, hi)
		a.used[w] &^= m
		a.free[w] |= m
	}
	a.nfree += cnt
	return true
}

// Allocated reports whether the frame at pa is currently handed out.
// Context: kernel (no allocation, no pointer stores).
func (a *Allocator) Allocated(pa uint64) bool {
	f := pa / PageSize
	return pa%PageSize == 0 && f < a.nframes && a.used[f/64]&(1<<(f%64)) != 0
}

// Stats reports the frame counts.
// Context: kernel (no allocation, no pointer stores).
func (a *Allocator) Stats() Stats {
	return Stats{Total: a.total, Free: a.nfree, BadFrees: a.badFrees}
}

// AllocFrame and FreeFrame let an Allocator serve as a page-table or
// address-space frame source.
// Context: kernel (no allocation, no pointer stores).
func (a *Allocator) AllocFrame() (uint64, bool) { return a.Alloc() }

// FreeFrame is Free without the result.
// Context: kernel (no allocation, no pointer stores).
func (a *Allocator) FreeFrame(pa uint64) { a.Free(pa) }

// take marks the free frames [lo, hi) allocated.
func (a *Allocator) take(lo, hi uint64) {
	for w := lo / 64; w <= (hi-1)/64; w++ {
		m := wordMask(w, lo, hi)
		a.free[w] &^= m
		a.used[w] |= m
	}
	a.nfree -= hi - lo
}

// nextFree finds the first free frame in [f, hi).
func (a *Allocator) nextFree(f, hi uint64) (uint64, bool) {
	for w := f / 64; f < hi && w <= (hi-1)/64; w++ {
		if x := a.free[w] & wordMask(w, f, hi); x != 0 {
			return w*64 + uint64(bits.TrailingZeros64(x)), true
		}
	}
	return 0, false
}

// firstNotFree finds the first frame in [lo, hi) that is not free.
func (a *Allocator) firstNotFree(lo, hi uint64) (uint64, bool) {
	for w := lo / 64; w <= (hi-1)/64; w++ {
		if x := wordMask(w, lo, hi) &^ a.free[w]; x != 0 {
			return w*64 + uint64(bits.TrailingZeros64(x)), true
		}
	}
	return 0, false
}

func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}
