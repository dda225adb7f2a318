package kernel

import "testing"

func TestTSCConversion(t *testing.T) {
	clock.tscHz = 2_500_000_000
	clock.mult = (1e9 << 32) / clock.tscHz
	if ns := tscToNanos(2_500_000_000); ns < 999_999_990 || ns > 1_000_000_000 {
		t.Errorf("1 s of ticks = %d ns", ns)
	}
	if tk := nanosToTSC(1_000_000); tk != 2_500_000 {
		t.Errorf("1 ms = %d ticks", tk)
	}
}
