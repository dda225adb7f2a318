package files

import (
	"encoding/binary"

	"golang.org/x/sys/unix"
)

// A pipe's ring: PipeSize bytes in pages listed in the Pipe itself, or,
// once F_SETPIPE_SZ makes it larger (up to MaxPipeSize, as Go's splice
// asks), in pages listed in a page of their own, so that every Pipe stays
// small. Sizes are a power of two pages, as Linux rounds them.

// MaxPipeSize is the largest ring F_SETPIPE_SZ gives (Linux's default
// pipe-max-size; beyond it EPERM, as for a caller without
// CAP_SYS_RESOURCE).
const MaxPipeSize = 1 << 20

// Size is the bytes p buffers when full (F_GETPIPE_SZ).
func (p *Pipe) Size() int { return p.size }

// listed reports whether p's pages are listed in the page pages[0].
func (p *Pipe) listed() bool { return p.size > PipeSize }

// pageOf is the i-th page of p's ring.
func pageOf[M Pages](mem M, p *Pipe, i int) uint64 {
	if !p.listed() {
		return p.pages[i]
	}
	return binary.LittleEndian.Uint64(mem.Page(p.pages[0])[i*8:])
}

// ring is the run of the ring from position pos to the end of its page,
// at most max bytes.
func ring[M Pages](mem M, p *Pipe, pos, max int) []byte {
	pos %= p.size
	off := pos % PageSize
	return mem.Page(pageOf(mem, p, pos/PageSize))[off:min(off+max, PageSize)]
}

// allocRing takes the pages of a ring of p.size bytes from mem: false,
// with none kept, if mem has too few left.
//
// Context: kernel (no allocation, no pointer stores).
func allocRing[M Pages](mem M, p *Pipe) bool {
	n := p.size / PageSize
	if p.listed() {
		pa, ok := mem.AllocPage()
		if !ok {
			return false
		}
		p.pages[0] = pa
	}
	for i := range n {
		pa, ok := mem.AllocPage()
		if !ok {
			freePages(mem, p, i)
			return false
		}
		if p.listed() {
			binary.LittleEndian.PutUint64(mem.Page(p.pages[0])[i*8:], pa)
		} else {
			p.pages[i] = pa
		}
	}
	return true
}

// freeRing gives p's ring back to mem.
//
// Context: kernel (no allocation, no pointer stores).
func freeRing[M Pages](mem M, p *Pipe) { freePages(mem, p, p.size/PageSize) }

// freePages gives the first n pages of p's ring back to mem, and the
// page listing them.
//
// Context: kernel (no allocation, no pointer stores).
func freePages[M Pages](mem M, p *Pipe, n int) {
	for i := range n {
		mem.FreePage(pageOf(mem, p, i))
	}
	if p.listed() {
		mem.FreePage(p.pages[0])
	}
}

// PipeResize gives p a ring of size bytes, rounded up to a power of two
// pages, keeping its buffered bytes, and returns the new size, as
// F_SETPIPE_SZ: EPERM beyond MaxPipeSize, EBUSY if fewer bytes than are
// buffered or while a splice holds p, ENOMEM if mem has too few pages.
// The caller notifies waiters.
//
// Context: kernel (no allocation, no pointer stores).
func PipeResize[M Pages](mem M, p *Pipe, size uint64) (int, unix.Errno) {
	if size > MaxPipeSize {
		return 0, unix.EPERM
	}
	n := PageSize
	for uint64(n) < size {
		n <<= 1
	}
	switch {
	case n < p.n || p.Held: // a splice in flight counts on the room it found
		return 0, unix.EBUSY
	case n == p.size:
		return n, 0
	}
	q := *p
	q.size, q.r = n, 0
	if !allocRing(mem, &q) {
		return 0, unix.ENOMEM
	}
	for done := 0; done < p.n; {
		src := ring(mem, p, p.r+done, p.n-done)
		done += copy(ring(mem, &q, done, len(src)), src)
	}
	freeRing(mem, p)
	q.seq++
	*p = q
	return n, 0
}
