package frames

import "math/bits"

// A bitmap is a view of bit indexes over caller storage. The helpers work a
// word at a time so range operations over gigabytes of RAM stay cheap.

// wordMask returns the bits of word w that fall in frame range [lo, hi).
func wordMask(w, lo, hi uint64) uint64 {
	first, last := w*64, w*64+64
	if lo > first {
		first = lo
	}
	if hi < last {
		last = hi
	}
	if first >= last {
		return 0
	}
	n := last - first
	var m uint64
	if n == 64 {
		m = ^uint64(0)
	} else {
		m = (uint64(1)<<n - 1)
	}
	return m << (first - w*64)
}

// popcount is bits.OnesCount64 under a shorter name.
func popcount(x uint64) uint64 { return uint64(bits.OnesCount64(x)) }
