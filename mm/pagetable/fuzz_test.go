package pagetable

import (
	"math/rand/v2"
	"sort"
	"testing"

	"warren.dev/mm/internal/fakemem"
)

// The model maps each 4 KiB page to its translation and the leaf it belongs
// to, which is enough to predict splitting.
type mpage struct {
	pa    uint64 // of this 4 KiB page
	flags Flags  // as Lookup reports them, Huge excluded
	base  uint64 // va of its leaf
	size  uint64 // of its leaf
}

type ptModel map[uint64]mpage

// split turns the huge leaf holding va into 4 KiB pages.
func (m ptModel) split(va uint64) {
	p, ok := m[va]
	if !ok || p.size == Size4K {
		return
	}
	for off := uint64(0); off < p.size; off += Size4K {
		q := m[p.base+off]
		q.base, q.size = p.base+off, Size4K
		m[p.base+off] = q
	}
}

// splitStraddling splits the leaf holding v if it sticks out of [va, end).
func (m ptModel) splitStraddling(v, va, end uint64) {
	p, ok := m[v]
	if ok && p.size > Size4K && (p.base < va || p.base+p.size-1 > end-1) {
		m.split(v)
	}
}

func (m ptModel) has4K(va, size uint64) bool {
	for off := uint64(0); off < size; off += Size4K {
		if p, ok := m[va+off]; ok && p.size == Size4K {
			return true
		}
	}
	return false
}

func (m ptModel) mapLeaf(va, pa, size uint64, f Flags) {
	if size == Size4K {
		m.split(va)
	}
	for off := uint64(0); off < size; off += Size4K {
		m[va+off] = mpage{pa + off, f | Present, va, size}
	}
}

// windows of the fuzzed address space: one straddling a 1 GiB boundary in
// the low half, one at the very top of the high half.
var fuzzWindows = [2]uint64{lowVA + Size1G - 4*Size2M, 0xffff_ffff_ffff_ffff - 8*Size2M + 1}

const fuzzPages = 8 * Size2M / Size4K

func FuzzTables(f *testing.F) {
	f.Add([]byte{0, 0, 0, 1, 7, 1, 0, 3, 0, 2, 0, 3, 5, 3, 0, 0, 9, 4, 0, 2, 0, 1})
	f.Add([]byte{1, 0, 128, 1, 3, 2, 1, 128, 3, 1, 6, 0, 0, 129, 255, 8, 7, 0, 131, 4, 4})
	f.Add([]byte{5, 0, 100, 200, 1, 0, 4, 0, 0, 10, 3, 9, 0, 5, 130, 90, 1, 2})
	f.Fuzz(runTablesOps)
}

func runTablesOps(t *testing.T, ops []byte) {
	pt, mem := newTables(t, 256)
	model := ptModel{}
	next := func() uint64 {
		if len(ops) == 0 {
			return 0
		}
		b := ops[0]
		ops = ops[1:]
		return uint64(b)
	}
	addr := func() uint64 { // a page in one of the windows
		w := fuzzWindows[next()%2]
		return w + (next()<<4|next()%16)%fuzzPages*Size4K
	}
	flags := func() Flags {
		b := next()
		var f Flags
		for i, bit := range []Flags{Writable, User, WriteThrough, CacheDisable, Accessed, Dirty, Global, NoExecute} {
			if b&(1<<i) != 0 {
				f |= bit
			}
		}
		return f
	}
	for len(ops) > 0 {
		op := next() % 10
		switch op {
		case 0, 1: // Map, maybe without frames
			size := uint64(Size4K)
			if next()%3 == 0 {
				size = Size2M
			}
			va, pa, fl := addr()&^(size-1), next()*Size2M+next()%4*size, flags()
			dry := next()%8 == 0
			if dry {
				mem.FailAfter(0)
			}
			err := pt.Map(va, pa, size, fl)
			mem.FailAfter(-1)
			var want error
			switch {
			case size == Size2M && model.has4K(va, size):
				want = ErrExists
			case dry:
				// Frames are needed unless the leaf's table exists.
				if _, ok := model[va]; ok && (size == Size2M || model[va].size == Size4K) {
					break
				}
				if size == Size2M {
					// The PD exists if anything else in its gigabyte is mapped.
					for v := range model {
						if v>>30 == va>>30 {
							goto have
						}
					}
				} else {
					for v, p := range model {
						if v>>21 == va>>21 && p.size == Size4K {
							goto have
						}
					}
				}
				want = ErrNoFrames
			have:
			}
			if err != want {
				t.Fatalf("Map(%#x, %#x, %#x, %#x) = %v, want %v", va, pa, size, fl, err, want)
			}
			if err == nil {
				model.mapLeaf(va, pa, size, fl)
			}
		case 2: // Unmap
			va := addr()
			p, ok := model[va]
			gpa, gsize, gok := pt.Unmap(va)
			if gok != ok {
				t.Fatalf("Unmap(%#x) ok=%v, model %v", va, gok, ok)
			}
			if !ok {
				break
			}
			if p.base != va {
				model.split(va)
				p = model[va]
			}
			if gpa != p.pa || gsize != p.size {
				t.Fatalf("Unmap(%#x) = %#x, %#x; model %#x, %#x", va, gpa, gsize, p.pa, p.size)
			}
			for off := uint64(0); off < p.size; off += Size4K {
				delete(model, va+off)
			}
		case 3: // SetFlags
			va, fl := addr(), flags()
			p, ok := model[va]
			err := pt.SetFlags(va, fl)
			if (err == nil) != ok {
				t.Fatalf("SetFlags(%#x) = %v, mapped %v", va, err, ok)
			}
			if !ok {
				break
			}
			if p.base != va {
				model.split(va)
				p = model[va]
			}
			for off := uint64(0); off < p.size; off += Size4K {
				q := model[va+off]
				q.flags = fl | Present
				model[va+off] = q
			}
		case 4, 5: // UnmapRange / SetFlagsRange
			va := addr()
			length := (next()<<5 | next()%32) % fuzzPages * Size4K
			if length == 0 {
				break
			}
			end := va + length
			if va >= fuzzWindows[1] && length > -va {
				end = 0 // clip at the top of the address space
			}
			fl := flags()
			type leaf struct{ pa, size uint64 }
			var got, want []leaf
			var err error
			if op == 4 {
				err = pt.UnmapRange(va, end, func(pa, size uint64) { got = append(got, leaf{pa, size}) })
			} else {
				err = pt.SetFlagsRange(va, end, fl)
			}
			if err != nil {
				t.Fatalf("range op %d [%#x, %#x): %v", op, va, end, err)
			}
			model.splitStraddling(va, va, end)
			model.splitStraddling(end-Size4K, va, end)
			for v := va; v != end; v += Size4K {
				p, ok := model[v]
				if !ok {
					continue
				}
				if op == 5 {
					p.flags = fl | Present
					model[v] = p
					continue
				}
				if p.base == v {
					want = append(want, leaf{p.pa, p.size})
				}
				delete(model, v)
			}
			if op == 4 {
				sort.Slice(got, func(i, j int) bool { return got[i].pa < got[j].pa })
				sort.Slice(want, func(i, j int) bool { return want[i].pa < want[j].pa })
				if len(got) != len(want) {
					t.Fatalf("UnmapRange [%#x, %#x) reported %v, model %v", va, end, got, want)
				}
				for i := range got {
					if got[i] != want[i] {
						t.Fatalf("UnmapRange [%#x, %#x) reported %v, model %v", va, end, got, want)
					}
				}
			}
		case 6: // MapRange, emulating its choice of sizes
			va := addr()
			pa := next() * Size4K
			length := (next()<<6 | next()%64) % fuzzPages * Size4K
			if va+length-1 < va || (va < fuzzWindows[1] && va+length > fuzzWindows[0]+fuzzPages*Size4K) {
				length = 0
			}
			fl := flags()
			if err := pt.MapRange(va, pa, length, fl); err != nil {
				t.Fatalf("MapRange(%#x, %#x, %#x): %v", va, pa, length, err)
			}
			for off := uint64(0); off < length; {
				size := uint64(Size4K)
				if (va+off)%Size2M == 0 && (pa+off)%Size2M == 0 && length-off >= Size2M && !model.has4K(va+off, Size2M) {
					size = Size2M
				}
				model.mapLeaf(va+off, pa+off, size, fl)
				off += size
			}
		case 7, 8: // Lookup of a random byte
			va := addr() + next()*16
			checkPage(t, pt, model, va)
		case 9:
			checkModel(t, pt, mem, model)
		}
	}
	checkModel(t, pt, mem, model)
	for _, w := range fuzzWindows {
		end := w + fuzzPages*Size4K
		if err := pt.UnmapRange(w, end, nil); err != nil {
			t.Fatal(err)
		}
	}
	if pt.TableFrames() != 1 || mem.InUse() != 1 {
		t.Fatalf("after unmapping everything: %d tables, %d frames", pt.TableFrames(), mem.InUse())
	}
}

func checkPage(t *testing.T, pt *Tables, model ptModel, va uint64) {
	t.Helper()
	p, ok := model[va&^(Size4K-1)]
	pa, size, fl, gok := pt.Lookup(va)
	if ok != gok {
		t.Fatalf("Lookup(%#x) ok=%v, model %v", va, gok, ok)
	}
	if !ok {
		return
	}
	wantFl := p.flags
	if p.size > Size4K {
		wantFl |= Huge
	}
	if pa != p.pa|va%Size4K || size != p.size || fl != wantFl {
		t.Fatalf("Lookup(%#x) = %#x, %#x, %#x; model %#x, %#x, %#x", va, pa, size, fl, p.pa|va%Size4K, p.size, wantFl)
	}
}

func checkModel(t *testing.T, pt *Tables, mem *fakemem.Mem, model ptModel) {
	t.Helper()
	for _, w := range fuzzWindows {
		for i := uint64(0); i < fuzzPages; i++ {
			checkPage(t, pt, model, w+i*Size4K)
		}
	}
	if mem.InUse() != pt.TableFrames() {
		t.Fatalf("frames in use %d, tables %d", mem.InUse(), pt.TableFrames())
	}
	checkTree(t, pt, mem)
}

// TestTablesRandom runs the fuzz body over random inputs so plain go test
// explores beyond the seed corpus.
func TestTablesRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	n := 100
	if testing.Short() {
		n = 30
	}
	for range n {
		ops := make([]byte, 50+r.IntN(400))
		for i := range ops {
			ops[i] = byte(r.Uint32())
		}
		runTablesOps(t, ops)
	}
}
