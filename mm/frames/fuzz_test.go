package frames

import (
	"math/rand/v2"
	"testing"
)

// The model keeps one state byte per frame.
const (
	mReserved = iota
	mFree
	mUsed
)

type model struct {
	st       []byte
	limit    uint64 // alloc limit in frames
	badFrees uint64
}

func (m *model) check(t *testing.T, a *Allocator) {
	t.Helper()
	var total, free uint64
	for f, s := range m.st {
		if s != mReserved {
			total++
		}
		if s == mFree {
			free++
		}
		if a.Allocated(uint64(f)*PageSize) != (s == mUsed) {
			t.Fatalf("frame %d: Allocated=%v model=%d", f, !(s == mUsed), s)
		}
	}
	if got := a.Stats(); got != (Stats{total, free, m.badFrees}) {
		t.Fatalf("Stats = %+v, model total=%d free=%d bad=%d", got, total, free, m.badFrees)
	}
}

// runExists reports whether the model has n free frames aligned to align
// below the limit.
func (m *model) runExists(n, align uint64) bool {
	for f := uint64(0); f+n <= m.limit; f += align {
		ok := true
		for i := f; i < f+n; i++ {
			if m.st[i] != mFree {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

func FuzzAllocator(f *testing.F) {
	f.Add([]byte{0, 0, 255, 1, 2, 3, 4, 5, 6, 7, 8})
	f.Add([]byte{0, 10, 200, 2, 2, 2, 3, 1, 3, 4, 3, 7, 5, 3, 40, 4, 2})
	f.Add([]byte{0, 0, 255, 6, 3, 2, 2, 2, 2, 7, 0, 2, 3, 8, 8, 3, 5, 1, 9})
	f.Fuzz(runOps)
}

func runOps(t *testing.T, ops []byte) {
	{
		const nframes = 300 // not a multiple of 64
		a := new(Allocator)
		a.Init(make([]uint64, BitmapWords(nframes*PageSize)), nframes*PageSize+123)
		m := &model{st: make([]byte, nframes), limit: nframes}
		var held []uint64
		next := func() uint64 {
			if len(ops) == 0 {
				return 0
			}
			b := ops[0]
			ops = ops[1:]
			return uint64(b)
		}
		for len(ops) > 0 {
			switch next() % 10 {
			case 0, 1: // AddRange / ReserveRange with byte-granular ends
				start := next()*PageSize*3/2 + next()*17
				end := start + next()*PageSize/2 + next()
				lo, hi := (start+PageSize-1)/PageSize, end/PageSize
				if next()%2 == 0 {
					a.AddRange(start, end)
					for f := lo; f < hi && f < nframes; f++ {
						if m.st[f] == mReserved {
							m.st[f] = mFree
						}
					}
				} else {
					a.ReserveRange(start, end)
					lo, hi = start/PageSize, (end+PageSize-1)/PageSize
					for f := lo; f < hi && f < nframes; f++ {
						m.st[f] = mReserved
					}
				}
			case 2, 3:
				pa, ok := a.Alloc()
				if !ok {
					for f := uint64(0); f < m.limit; f++ {
						if m.st[f] == mFree {
							t.Fatalf("Alloc failed with frame %d free", f)
						}
					}
					break
				}
				f := pa / PageSize
				if pa%PageSize != 0 || f >= m.limit || m.st[f] != mFree {
					t.Fatalf("Alloc returned %#x (state %d)", pa, m.st[f])
				}
				m.st[f] = mUsed
				held = append(held, pa)
			case 4:
				n := next()%9 + 1
				align := uint64(1) << (next() % 5)
				pa, ok := a.AllocContig(int(n), int(align))
				if !ok {
					if m.runExists(n, align) {
						t.Fatalf("AllocContig(%d,%d) failed but a run exists", n, align)
					}
					break
				}
				f := pa / PageSize
				if pa%(align*PageSize) != 0 || f+n > m.limit {
					t.Fatalf("AllocContig(%d,%d) = %#x", n, align, pa)
				}
				for i := f; i < f+n; i++ {
					if m.st[i] != mFree {
						t.Fatalf("AllocContig handed out non-free frame %d", i)
					}
					m.st[i] = mUsed
					held = append(held, i*PageSize)
				}
			case 5, 6: // free something held, or something random
				var pa uint64
				if len(held) > 0 && next()%4 != 0 {
					i := int(next()) % len(held)
					pa = held[i]
					held[i] = held[len(held)-1]
					held = held[:len(held)-1]
				} else {
					pa = next()*PageSize + next()%3*0x800
				}
				want := pa%PageSize == 0 && pa/PageSize < nframes && m.st[pa/PageSize] == mUsed
				if got := a.Free(pa); got != want {
					t.Fatalf("Free(%#x) = %v, want %v", pa, got, want)
				}
				if want {
					m.st[pa/PageSize] = mFree
				} else {
					m.badFrees++
				}
			case 7:
				pa := next() * PageSize
				n := int(next() % 6)
				want := n > 0 && pa/PageSize+uint64(n) <= nframes
				for i := pa / PageSize; want && i < pa/PageSize+uint64(n); i++ {
					want = m.st[i] == mUsed
				}
				if got := a.FreeContig(pa, n); got != want {
					t.Fatalf("FreeContig(%#x, %d) = %v, want %v", pa, n, got, want)
				}
				for i := pa / PageSize; want && i < pa/PageSize+uint64(n); i++ {
					m.st[i] = mFree
				}
				if !want {
					m.badFrees++
				}
			case 8:
				lim := next() * 2 * PageSize
				a.SetAllocLimit(lim)
				m.limit = nframes
				if lim != 0 && lim/PageSize < nframes {
					m.limit = lim / PageSize
				}
			case 9:
				m.check(t, a)
			}
		}
		m.check(t, a)
	}
}

// TestAllocatorRandom runs the fuzz body over random inputs so plain go test
// explores beyond the seed corpus.
func TestAllocatorRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 2000 {
		ops := make([]byte, 20+r.IntN(600))
		for i := range ops {
			ops[i] = byte(r.Uint32())
		}
		runOps(t, ops)
	}
}
