package kernel

import (
	"testing"
	"time"
)

func TestUnixSeconds(t *testing.T) {
	for _, tm := range []time.Time{
		time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2000, 2, 29, 23, 59, 59, 0, time.UTC),
		time.Date(2026, 11, 21, 19, 35, 15, 0, time.UTC),
		time.Date(2100, 3, 1, 12, 0, 0, 0, time.UTC),
	} {
		got := unixSeconds(int64(tm.Year()), int64(tm.Month()), int64(tm.Day()), int64(tm.Hour()), int64(tm.Minute()), int64(tm.Second()))
		if got != tm.Unix() {
			t.Errorf("%v: got %d want %d", tm, got, tm.Unix())
		}
	}
}

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
