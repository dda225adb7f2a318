package bench

import (
	"math"
	"testing"
)

func TestMedianRatio(t *testing.T) {
	nan := math.NaN()
	for _, tc := range []struct {
		in   []float64
		want float64
	}{
		{[]float64{3, 1, 2}, 2},
		{[]float64{4, 1, 3, 2}, 2.5},
		{[]float64{5, nan, 1}, 3},
		{[]float64{7}, 7},
	} {
		if got := median(tc.in); got != tc.want {
			t.Errorf("median(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
	if !math.IsNaN(median(nil)) || !math.IsNaN(median([]float64{nan})) {
		t.Error("median of nothing is not NaN")
	}
	if lo, hi := spread([]float64{3, nan, 1, 2}); lo != 1 || hi != 3 {
		t.Errorf("spread = %v, %v", lo, hi)
	}
	if lo, hi := spread([]float64{nan}); !math.IsNaN(lo) || !math.IsNaN(hi) {
		t.Errorf("spread of nothing = %v, %v", lo, hi)
	}
	if r := ratio(1500, 1000); r != 1.5 {
		t.Errorf("ratio = %v", r)
	}
	if !math.IsNaN(ratio(1, 0)) || !math.IsNaN(ratio(nan, 2)) || !math.IsNaN(ratio(2, nan)) {
		t.Error("ratio of a missing value is not NaN")
	}
}
