package tsc

import "testing"

const hz = 2_419_200_000 // the TSC every test machine runs at

// near reports whether got is within 0.1% of want.
func near(got, want uint64) bool {
	return got > want-want/1000 && got < want+want/1000
}

func TestSources(t *testing.T) {
	for _, tc := range []struct {
		name string
		m    *machine
		cfg  Config
		hz   uint64 // 0: expect hz (measured)
		src  Source
	}{
		{"leaf 0x15", func() *machine {
			m := newMachine(hz)
			m.leaves[0] = [4]uint32{0x16}
			m.leaves[0x15] = [4]uint32{2, 202, 24_000_000} // 2.424 GHz: stated, not measured
			return m
		}(), Config{PMTimerPort: 0x608}, 2_424_000_000, CPUIDTSC},
		{"leaf 0x16 when 0x15 has no crystal", func() *machine {
			m := newMachine(hz)
			m.leaves[0] = [4]uint32{0x16}
			m.leaves[0x15] = [4]uint32{2, 200, 0}
			m.leaves[0x16] = [4]uint32{2400, 3000, 100}
			return m
		}(), Config{}, 2_400_000_000, CPUIDBase},
		{"hypervisor leaf", func() *machine {
			m := newMachine(hz)
			m.leaves[1] = [4]uint32{0, 0, 1 << 31}
			m.leaves[0x40000000] = [4]uint32{0x40000010}
			m.leaves[0x40000010] = [4]uint32{2_419_200}
			return m
		}(), Config{}, hz, Hypervisor},
		{"PM timer, 24 bits, wrapping", func() *machine {
			m := newMachine(hz).tcgLeaves()
			m.pmPort, m.pmBase, m.pit, m.port61 = 0x608, 1<<24-1000, true, true
			return m
		}(), Config{PMTimerPort: 0x608}, 0, PMTimer},
		{"PM timer, 32 bits, wrapping", func() *machine {
			m := newMachine(hz).tcgLeaves()
			m.pmPort, m.pm32, m.pmBase = 0xb008, true, 1<<32-1000
			return m
		}(), Config{PMTimerPort: 0xb008, PMTimer32: true}, 0, PMTimer},
		{"PIT channel 2 without ACPI", func() *machine {
			m := newMachine(hz).tcgLeaves()
			m.pit, m.port61 = true, true
			return m
		}(), Config{}, 0, PITGate},
		{"PIT channel 0 without port 0x61 (microvm)", func() *machine {
			m := newMachine(hz).tcgLeaves()
			m.pit = true
			return m
		}(), Config{}, 0, PITLatch},
	} {
		got, src := Calibrate(tc.m, tc.cfg)
		want := tc.hz
		if want == 0 {
			want = hz
		}
		if src != tc.src || !near(got, want) {
			t.Errorf("%s: Calibrate = %d from %v, want %d from %v", tc.name, got, src, want, tc.src)
		}
	}
}

// TestFallbacks checks that a source that misreports, or hardware that is
// missing or stuck, passes the turn to the next source.
func TestFallbacks(t *testing.T) {
	for _, tc := range []struct {
		name string
		m    *machine
		cfg  Config
		src  Source
	}{
		{"leaf 0x15 states 1 MHz", func() *machine {
			m := newMachine(hz)
			m.leaves[0] = [4]uint32{0x15}
			m.leaves[0x15] = [4]uint32{1, 1, 1_000_000}
			m.pit, m.port61 = true, true
			return m
		}(), Config{}, PITGate},
		{"leaf 0x16 is beyond the maximum", func() *machine {
			m := newMachine(hz)
			m.leaves[0] = [4]uint32{0x15}
			m.leaves[0x15] = [4]uint32{2, 200, 0}
			m.pit = true
			return m
		}(), Config{}, PITLatch},
		{"hypervisor leaf beyond the hypervisor's maximum (TCG)", func() *machine {
			m := newMachine(hz).tcgLeaves()
			m.leaves[1] = [4]uint32{0, 0, 1 << 31}
			m.pit = true
			return m
		}(), Config{}, PITLatch},
		{"hypervisor leaf without a hypervisor", func() *machine {
			m := newMachine(hz)
			m.leaves[0x40000000] = [4]uint32{0x40000010}
			m.leaves[0x40000010] = [4]uint32{2_419_200}
			m.pit = true
			return m
		}(), Config{}, PITLatch},
		{"hypervisor states 20 GHz", func() *machine {
			m := newMachine(hz)
			m.leaves[1] = [4]uint32{0, 0, 1 << 31}
			m.leaves[0x40000000] = [4]uint32{0x40000010}
			m.leaves[0x40000010] = [4]uint32{20_000_000}
			m.pit = true
			return m
		}(), Config{}, PITLatch},
		{"PM timer port reads all ones", func() *machine {
			m := newMachine(hz).tcgLeaves()
			m.pit = true
			return m
		}(), Config{PMTimerPort: 0x608}, PITLatch},
		{"no PIT behind port 0x61", func() *machine {
			m := newMachine(hz).tcgLeaves()
			m.port61 = true
			return m
		}(), Config{}, None},
		{"only the real-time clock (microvm, pit=off, acpi=off)", func() *machine {
			m := newMachine(hz).tcgLeaves()
			m.rtc = true
			return m
		}(), Config{}, RTC},
		{"nothing at all", newMachine(hz).tcgLeaves(), Config{}, None},
	} {
		got, src := Calibrate(tc.m, tc.cfg)
		if src != tc.src || (src == None) != (got == 0) || (src != None && !near(got, hz)) {
			t.Errorf("%s: Calibrate = %d from %v, want %v", tc.name, got, src, tc.src)
		}
	}
}

func TestSlowTSCRejected(t *testing.T) {
	m := newMachine(50_000_000) // 50 MHz: below MinHz whatever measures it
	m.pit, m.port61 = true, true
	if got, src := Calibrate(m, Config{}); src != None || got != 0 {
		t.Errorf("Calibrate = %d from %v, want none", got, src)
	}
}
