package multiboot

import (
	"math/rand/v2"
	"testing"
)

func mapInfo(rs ...Region) *Info {
	info := &Info{Flags: FlagMmap}
	info.NumRegions = copy(info.Regions[:], rs)
	return info
}

func TestAvailableRAM(t *testing.T) {
	const top = ^uint64(0)
	tests := []struct {
		name string
		info *Info
		want []Range
	}{
		{"unsorted and overlapping", mapInfo(
			Region{0x10000, 0x8000, Available},
			Region{0x2000, 0x3000, Available},
			Region{0x14000, 0x10000, Available},
			Region{0x4000, 0x1000, Available}, // touches the second
		), []Range{{0x2000, 0x5000}, {0x10000, 0x24000}}},
		{"unaligned shrinks inward", mapInfo(
			Region{0x1001, 0x2ffe, Available},
			Region{0x8000, 0x0fff, Available}, // less than a page
		), []Range{{0x2000, 0x3000}}},
		{"reservation splits", mapInfo(
			Region{0, 0x100000, Available},
			Region{0x40800, 0x10, Reserved},
		), []Range{{0, 0x40000}, {0x41000, 0x100000}}},
		{"reservation listed first", mapInfo(
			Region{0x40000, 0x1000, NVS},
			Region{0, 0x100000, Available},
		), []Range{{0, 0x40000}, {0x41000, 0x100000}}},
		{"reservation covers", mapInfo(
			Region{0x1000, 0x1000, Available},
			Region{0, 0x10000, Reserved},
			Region{0x20000, 0x1000, Available},
		), []Range{{0x20000, 0x21000}}},
		{"reservation spans several", mapInfo(
			Region{0, 0x3000, Available},
			Region{0x4000, 0x1000, Available},
			Region{0x6000, 0x3000, Available},
			Region{0x2000, 0x5000, BadRAM},
		), []Range{{0, 0x2000}, {0x7000, 0x9000}}},
		{"unknown type is reserved", mapInfo(
			Region{0, 0x4000, Available},
			Region{0x1000, 0x1000, 17},
		), []Range{{0, 0x1000}, {0x2000, 0x4000}}},
		{"ACPI reclaimable is not offered", mapInfo(
			Region{0, 0x4000, Available},
			Region{0x3000, 0x1000, ACPIReclaimable},
		), []Range{{0, 0x3000}}},
		{"zero lengths ignored", mapInfo(
			Region{0x1000, 0, Available},
			Region{0x2000, 0x1000, Available},
			Region{0x2000, 0, Reserved},
		), []Range{{0x2000, 0x3000}}},
		{"wraps at 2^64", mapInfo(
			Region{top - 0x2fff, 0x10000, Available},
		), []Range{{top - 0x2fff, top &^ 0xfff}}},
		{"starts in the last page", mapInfo(
			Region{top - 10, 5, Available},
		), nil},
		{"reservation wraps", mapInfo(
			Region{0, 0x10000, Available},
			Region{0x8000, top, Reserved},
		), []Range{{0, 0x8000}}},
		{"empty map falls back", &Info{Flags: FlagMmap | FlagMem, MemLower: 639, MemUpper: 0x1000},
			[]Range{{0, 0x9f000}, {0x100000, 0x500000}}},
		{"mem fields only", &Info{Flags: FlagMem, MemLower: 0, MemUpper: 0x800},
			[]Range{{0x100000, 0x300000}}},
		{"mem fields cover 1 MiB", &Info{Flags: FlagMem, MemLower: 1 << 10, MemUpper: 4},
			[]Range{{0, 0x101000}}},
		{"map wins over mem fields", func() *Info {
			i := mapInfo(Region{0x1000, 0x1000, Available})
			i.Flags |= FlagMem
			i.MemUpper = 0x10000
			return i
		}(), []Range{{0x1000, 0x2000}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out [MaxRegions]Range
			n := tt.info.AvailableRAM(out[:])
			if !rangesEqual(out[:n], tt.want) {
				t.Errorf("got %x, want %x", out[:n], tt.want)
			}
		})
	}
}

func TestAvailableRAMSmallOut(t *testing.T) {
	info := mapInfo(
		Region{0x30000, 0x1000, Available},
		Region{0x10000, 0x1000, Available},
		Region{0x20000, 0x3000, Available},
		Region{0x21000, 0x1000, Reserved},
	)
	var out [2]Range
	n := info.AvailableRAM(out[:])
	want := []Range{{0x10000, 0x11000}, {0x20000, 0x21000}}
	if !rangesEqual(out[:n], want) {
		t.Errorf("got %x, want %x", out[:n], want)
	}
	if n := info.AvailableRAM(nil); n != 0 {
		t.Errorf("%d ranges in no space", n)
	}
}

func TestRemoveRange(t *testing.T) {
	base := []Range{{0x1000, 0x5000}, {0x8000, 0x9000}, {0xa000, 0xc000}}
	tests := []struct {
		name string
		hole Range
		cap  int
		want []Range
	}{
		{"empty hole", Range{0x2000, 0x2000}, 3, base},
		{"inverted hole", Range{0x3000, 0x2000}, 3, base},
		{"outside", Range{0x5000, 0x8000}, 3, base},
		{"head", Range{0, 0x2000}, 3, []Range{{0x2000, 0x5000}, {0x8000, 0x9000}, {0xa000, 0xc000}}},
		{"tail", Range{0x4000, 0x6000}, 3, []Range{{0x1000, 0x4000}, {0x8000, 0x9000}, {0xa000, 0xc000}}},
		{"whole", Range{0x8000, 0x9000}, 3, []Range{{0x1000, 0x5000}, {0xa000, 0xc000}}},
		{"across", Range{0x3000, 0xb000}, 3, []Range{{0x1000, 0x3000}, {0xb000, 0xc000}}},
		{"everything", Range{0, 0x10000}, 3, nil},
		{"split with room", Range{0x2000, 0x3000}, 4,
			[]Range{{0x1000, 0x2000}, {0x3000, 0x5000}, {0x8000, 0x9000}, {0xa000, 0xc000}}},
		{"split when full drops highest", Range{0x2000, 0x3000}, 3,
			[]Range{{0x1000, 0x2000}, {0x3000, 0x5000}, {0x8000, 0x9000}}},
		{"split of highest when full", Range{0xb000, 0xb800}, 3,
			[]Range{{0x1000, 0x5000}, {0x8000, 0x9000}, {0xa000, 0xb000}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := make([]Range, tt.cap)
			n := copy(out, base)
			n = RemoveRange(out, n, tt.hole)
			if !rangesEqual(out[:n], tt.want) {
				t.Errorf("got %x, want %x", out[:n], tt.want)
			}
		})
	}
}

// TestAvailableRAMRandom checks random maps over a 64 KiB space against a
// byte-by-byte model: a page is offered iff every byte of it lies in an
// Available entry and in no other entry.
func TestAvailableRAMRandom(t *testing.T) {
	const space = 64 << 10
	rng := rand.New(rand.NewPCG(1, 2))
	for iter := range 3000 {
		var rs []Region
		for range rng.IntN(12) {
			base := rng.Uint64N(space)
			typ := Available
			if rng.IntN(3) == 0 {
				typ = RegionType(2 + rng.IntN(5))
			}
			rs = append(rs, Region{base, rng.Uint64N(space - base + 1), typ})
		}
		var avail, reserved [space]bool
		for _, r := range rs {
			for a := r.Base; a < r.End(); a++ {
				if r.Type == Available {
					avail[a] = true
				} else {
					reserved[a] = true
				}
			}
		}
		var out [MaxRegions]Range
		n := mapInfo(rs...).AvailableRAM(out[:])
		var got [space / PageSize]bool
		for k, r := range out[:n] {
			if r.Start%PageSize != 0 || r.End%PageSize != 0 || r.Start >= r.End || r.End > space {
				t.Fatalf("iter %d: bad range %x in %x", iter, r, out[:n])
			}
			if k > 0 && out[k-1].End >= r.Start {
				t.Fatalf("iter %d: ranges not sorted and separate: %x", iter, out[:n])
			}
			for p := r.Start / PageSize; p < r.End/PageSize; p++ {
				got[p] = true
			}
		}
		for p := range got {
			want := true
			for a := p * PageSize; a < (p+1)*PageSize; a++ {
				want = want && avail[a] && !reserved[a]
			}
			if got[p] != want {
				t.Fatalf("iter %d: page %d offered=%v, want %v; map %+v, got %x", iter, p, got[p], want, rs, out[:n])
			}
		}
	}
}
