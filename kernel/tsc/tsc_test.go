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
		{"the real-time clock, its update bit held 10 ms into each second", func() *machine {
			m := newMachine(hz).tcgLeaves()
			m.rtc, m.uipHeld = true, 10_000_000
			return m
		}(), Config{}, 0, RTC},
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

// TestDescheduled stalls the vCPU (every clock runs on while calibration
// does not) at points swept across each measurement: longer than the
// PIT's 55 ms period, so that its count wraps unseen, and short; in the
// PM timer's window and around the RTC's second boundaries, where a stall
// hides the update bit or lands between a read and its TSC stamp.
func TestDescheduled(t *testing.T) {
	const ms = 1_000_000
	machines := []struct {
		src  Source
		cfg  Config
		make func() *machine
		from int64 // where the sweep starts, ns
		by   int64 // its step
		n    int
		d    []int64 // stall lengths
	}{
		{PITLatch, Config{}, func() *machine {
			m := newMachine(hz).tcgLeaves()
			m.pit = true
			return m
		}, 0, 370_000, 40, []int64{3 * ms, 60 * ms, 130 * ms}},
		{PITGate, Config{}, func() *machine {
			m := newMachine(hz).tcgLeaves()
			m.pit, m.port61 = true, true
			return m
		}, 0, 530_000, 30, []int64{3 * ms, 60 * ms, 130 * ms}},
		{PMTimer, Config{PMTimerPort: 0x608}, func() *machine {
			m := newMachine(hz).tcgLeaves()
			m.pmPort, m.pit = 0x608, true
			return m
		}, 0, 530_000, 30, []int64{3 * ms, 130 * ms}},
		{RTC, Config{}, func() *machine {
			m := newMachine(hz).tcgLeaves()
			m.rtc = true
			return m
		}, 1e9 - 300_000, 7_000, 50, []int64{ms / 2, 50 * ms, 1300 * ms}},
		{RTC, Config{}, func() *machine {
			m := newMachine(hz).tcgLeaves()
			m.rtc = true
			return m
		}, 2e9 - 300_000, 13_000, 30, []int64{ms / 2, 300 * ms}},
	}
	for _, mc := range machines {
		for _, d := range mc.d {
			for i := range mc.n {
				m := mc.make()
				at := mc.from + int64(i)*mc.by
				m.stalls = []stall{{at, d}}
				if got, src := Calibrate(m, mc.cfg); src != mc.src || !near(got, hz) {
					t.Errorf("%v, stalled %d µs at %d µs: Calibrate = %d from %v", mc.src, d/1000, at/1000, got, src)
				}
			}
		}
	}
}

// TestBusyHost runs calibration on a vCPU that a loaded host deschedules
// again and again: it runs for 1 to 16 ms, then waits 1 to 40 ms.
func TestBusyHost(t *testing.T) {
	for _, tc := range []struct {
		src Source
		cfg Config
		m   *machine
	}{
		{PMTimer, Config{PMTimerPort: 0x608}, func() *machine {
			m := newMachine(hz).tcgLeaves()
			m.pmPort = 0x608
			return m
		}()},
		{PITLatch, Config{}, func() *machine {
			m := newMachine(hz).tcgLeaves()
			m.pit = true
			return m
		}()},
		{RTC, Config{}, func() *machine {
			m := newMachine(hz).tcgLeaves()
			m.rtc = true
			return m
		}()},
	} {
		r := uint64(1)
		rand := func(n int64) int64 { // xorshift
			r ^= r << 13
			r ^= r >> 7
			r ^= r << 17
			return 1 + int64(r%uint64(n))
		}
		for at := int64(0); at < 20e9; {
			at += rand(16) * 1e6
			d := rand(40) * 1e6
			tc.m.stalls = append(tc.m.stalls, stall{at, d})
			at += d
		}
		if got, src := Calibrate(tc.m, tc.cfg); src != tc.src || !near(got, hz) {
			t.Errorf("%v: Calibrate = %d from %v", tc.src, got, src)
		}
	}
}
