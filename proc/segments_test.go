package proc

import (
	"slices"
	"testing"
)

func TestPageRuns(t *testing.T) {
	const r, w, x = 1, 2, 4
	seg := func(addr, size uint64, prot int) Segment { return Segment{Addr: addr, Size: size, Prot: prot} }
	for _, tc := range []struct {
		name string
		segs []Segment
		want []pageRun
	}{
		{"one", []Segment{seg(0x400010, 0x1000, r|x)}, []pageRun{{0x400000, 0x402000, r | x}}},
		{"gap", []Segment{seg(0x400000, 0x1000, r), seg(0x403000, 0x10, r|w)},
			[]pageRun{{0x400000, 0x401000, r}, {0x403000, 0x404000, r | w}}},
		{"touching", []Segment{seg(0x400000, 0x1000, r), seg(0x401000, 0x1000, r|x)},
			[]pageRun{{0x400000, 0x401000, r}, {0x401000, 0x402000, r | x}}},
		{"shared page", []Segment{seg(0x400000, 0x1800, r|x), seg(0x401800, 0x2000, r|w)},
			[]pageRun{{0x400000, 0x401000, r | x}, {0x401000, 0x402000, r | w | x}, {0x402000, 0x404000, r | w}}},
		{"three in a page", []Segment{seg(0x400000, 0x10, r), seg(0x400010, 0x10, r|x), seg(0x400020, 0x1000, r|w)},
			[]pageRun{{0x400000, 0x401000, r | w | x}, {0x401000, 0x402000, r | w}}},
	} {
		if got := pageRuns(tc.segs); !slices.Equal(got, tc.want) {
			t.Errorf("%s: got %x, want %x", tc.name, got, tc.want)
		}
	}
}
