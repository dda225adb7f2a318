package kernel

import "testing"

func TestMSIAddress(t *testing.T) {
	for _, c := range []struct {
		id   uint32
		want uint32
	}{{0, 0xfee00000}, {1, 0xfee01000}, {0x2a, 0xfee2a000}, {0xfe, 0xfeefe000}} {
		if got := msiAddress(c.id); got != c.want {
			t.Errorf("msiAddress(%#x) = %#x, want %#x", c.id, got, c.want)
		}
	}
}

// New interrupt sources go to the online CPUs in turn.
func TestIRQTargetTurns(t *testing.T) {
	defer func(n, last int) { ncpus, lastIRQCPU = n, last }(ncpus, lastIRQCPU)
	ncpus, lastIRQCPU = 3, 0
	var got []int
	for range 7 {
		got = append(got, irqTarget())
	}
	want := []int{0, 1, 2, 0, 1, 2, 0}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("targets %v, want %v", got, want)
		}
	}
	ncpus, lastIRQCPU = 1, 0
	if irqTarget() != 0 || irqTarget() != 0 {
		t.Error("one CPU: an interrupt went elsewhere")
	}
}
