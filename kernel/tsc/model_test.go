package tsc

import "warren.dev/kernel/cmos"

// machine models the hardware calibration touches, on a simulated clock
// that every access moves forward: a port access takes a microsecond (as
// under TCG), a TSC read 20 ns.
type machine struct {
	ns     int64 // simulated time
	tscHz  uint64
	leaves map[uint32][4]uint32 // CPUID; leaf 0's EAX is the maximum basic leaf

	pmPort uint16 // the PM timer's port; 0: none
	pm32   bool
	pmBase uint64 // the PM timer's count at time 0, to test wrapping

	pit    bool  // a PIT (channels 0 and 2)
	port61 bool  // port 0x61 gates channel 2
	rtc    bool  // a CMOS real-time clock, its seconds ending at whole simulated seconds
	cmos   uint8 // the CMOS register selected
	// uipHeld keeps the RTC's update bit up this long past the end of
	// each second, as QEMU does until its timer runs.
	uipHeld int64

	gate       uint8     // port 0x61's value
	start      [3]int64  // when each channel started counting; -1: not counting
	written    [3]int    // bytes of each channel's count written
	latched    [3]uint16 // each channel's latched count
	latchReads [3]int    // bytes of it left to read

	stalls []stall // descheduled spells, in order
}

// stall is a spell of at least d ns, from the first access at or after at,
// in which the vCPU is descheduled: every clock runs, calibration does not.
type stall struct{ at, d int64 }

// step moves the clock over an access that takes d ns, and over a stall
// that is due.
func (m *machine) step(d int64) {
	if len(m.stalls) > 0 && m.ns >= m.stalls[0].at {
		m.ns += m.stalls[0].d
		m.stalls = m.stalls[1:]
	}
	m.ns += d
}

func newMachine(tscHz uint64) *machine {
	return &machine{tscHz: tscHz, leaves: map[uint32][4]uint32{0: {0xd}}, start: [3]int64{-1, -1, -1}}
}

// tcgLeaves are what QEMU 7.2's TCG "max" CPU answers: maximum basic
// leaf 0xd (leaves 0x15 and 0x16 repeat it), and a hypervisor range
// ("TCGTCGTCGTCG") that ends at 0x40000001.
func (m *machine) tcgLeaves() *machine {
	m.leaves = map[uint32][4]uint32{
		0:          {0xd, 0x68747541, 0x444d4163, 0x69746e65},
		1:          {0x60fb1, 0x800, 0xfed8320b, 0xfcbfbfd},
		0xd:        {0x21f, 0x340, 0xa88, 0},
		0x40000000: {0x40000001, 0x54474354, 0x43544743, 0x47435447},
		0x40000001: {},
		0x40000010: {0x21f, 0x340, 0xa88, 0},
	}
	return m
}

func (m *machine) CPUID(leaf, _ uint32) (a, b, c, d uint32) {
	m.step(100)
	if max := m.leaves[0][0]; leaf < 0x40000000 && leaf > max {
		leaf = max // as Intel's CPUs and TCG do
	}
	v := m.leaves[leaf]
	return v[0], v[1], v[2], v[3]
}

func (m *machine) TSC() uint64 {
	m.step(20)
	return uint64(m.ns/1e9)*m.tscHz + uint64(m.ns%1e9)*m.tscHz/1e9 // no overflow in long runs
}

// ticks returns how many periods of a hz clock have passed since start.
func (m *machine) ticks(start int64, hz uint64) uint64 {
	return uint64(m.ns-start) * hz / 1e9
}

func (m *machine) Inl(port uint16) uint32 {
	m.step(1000)
	if port == 0 || port != m.pmPort {
		return 0xffffffff
	}
	v := uint32(m.pmBase + m.ticks(0, pmTimerHz))
	if !m.pm32 {
		v &= 1<<24 - 1
	}
	return v
}

// gated reports whether a channel's gate is open: channel 2's is port
// 0x61's bit 0, the others' are tied high.
func (m *machine) gated(ch int) bool { return ch != 2 || m.gate&gateOn != 0 }

func (m *machine) Inb(port uint16) uint8 {
	m.step(1000)
	switch ch := int(port - pitCh0); {
	case port == cmos.DataPort && m.rtc:
		switch m.cmos {
		case cmos.RegA:
			// The update runs for the last 244 µs of each second.
			if m.ns%1e9 >= 1e9-244_000 || m.ns%1e9 < m.uipHeld {
				return cmos.UpdateInProgress | 0x26
			}
			return 0x26
		case cmos.RegB:
			return 0x02 // 24-hour, BCD: as QEMU sets it
		case cmos.RegSeconds:
			s := m.ns / 1e9 % 60
			return uint8(s/10<<4 | s%10)
		}
		return 0
	case port == gatePort && m.port61:
		return m.gate
	case m.pit && port >= pitCh0 && port <= pitCh0+2 && m.latchReads[ch] > 0:
		m.latchReads[ch]--
		if m.latchReads[ch] == 1 {
			return uint8(m.latched[ch])
		}
		return uint8(m.latched[ch] >> 8)
	}
	return 0xff
}

// Outb models the PIT's channels in mode 2 only, with a full period.
func (m *machine) Outb(port uint16, v uint8) {
	m.step(1000)
	ch := int(v >> 6)
	switch {
	case port == cmos.IndexPort:
		m.cmos = v &^ 0x80 // the NMI mask bit
	case port == gatePort && m.port61:
		m.gate = v
		if m.gate&gateOn == 0 {
			m.start[2] = -1
		} else if m.start[2] < 0 && m.written[2] == 2 {
			m.start[2] = m.ns
		}
	case !m.pit:
	case port == pitCommand && v&0x3f == pitRate:
		m.written[ch], m.start[ch] = 0, -1
	case port == pitCommand && v&0x3f == 0 && ch != 3: // latch
		if m.start[ch] >= 0 {
			m.latched[ch] = uint16(65536 - m.ticks(m.start[ch], pitHz)%65536)
		}
		m.latchReads[ch] = 2
	case port >= pitCh0 && port <= pitCh0+2:
		c := int(port - pitCh0)
		if m.written[c]++; m.written[c] == 2 && m.gated(c) {
			m.start[c] = m.ns
		}
	}
}
