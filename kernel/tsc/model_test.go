package tsc

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

	pit    bool // a PIT (channels 0 and 2)
	port61 bool // port 0x61 gates channel 2

	gate               uint8 // port 0x61's value
	ch0Start, ch2Start int64 // when each channel started counting; -1: not counting
	ch0Writes          int   // bytes of channel 0's count written
	ch2Count           uint16
	ch2Writes          int
	latched            uint16
	latchReads         int // bytes of the latched count left to read
}

func newMachine(tscHz uint64) *machine {
	return &machine{tscHz: tscHz, leaves: map[uint32][4]uint32{0: {0xd}}, ch0Start: -1, ch2Start: -1}
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
	m.ns += 100
	if max := m.leaves[0][0]; leaf < 0x40000000 && leaf > max {
		leaf = max // as Intel's CPUs and TCG do
	}
	v := m.leaves[leaf]
	return v[0], v[1], v[2], v[3]
}

func (m *machine) TSC() uint64 {
	m.ns += 20
	return uint64(m.ns) * m.tscHz / 1e9
}

// ticks returns how many periods of a hz clock have passed since start.
func (m *machine) ticks(start int64, hz uint64) uint64 {
	return uint64(m.ns-start) * hz / 1e9
}

func (m *machine) Inl(port uint16) uint32 {
	m.ns += 1000
	if port == 0 || port != m.pmPort {
		return 0xffffffff
	}
	v := uint32(m.pmBase + m.ticks(0, pmTimerHz))
	if !m.pm32 {
		v &= 1<<24 - 1
	}
	return v
}

func (m *machine) Inb(port uint16) uint8 {
	m.ns += 1000
	switch {
	case port == gatePort && m.port61:
		v := m.gate & gateOn
		if m.ch2Start >= 0 && m.ticks(m.ch2Start, pitHz) >= uint64(m.ch2Count) {
			v |= pitOut2
		}
		return v
	case port == pitCh0 && m.pit && m.latchReads > 0:
		m.latchReads--
		if m.latchReads == 1 {
			return uint8(m.latched)
		}
		return uint8(m.latched >> 8)
	}
	return 0xff
}

func (m *machine) Outb(port uint16, v uint8) {
	m.ns += 1000
	switch {
	case port == gatePort && m.port61:
		if m.gate&gateOn == 0 && v&gateOn != 0 && m.ch2Writes == 2 {
			m.ch2Start = m.ns
		}
		m.gate = v
	case !m.pit:
	case port == pitCommand && v == pitOneShot:
		m.ch2Writes, m.ch2Start = 0, -1
	case port == pitCommand && v == pitRate0:
		m.ch0Writes, m.ch0Start = 0, -1
	case port == pitCommand && v == pitLatch0 && m.ch0Start >= 0:
		m.latched = uint16(65536 - m.ticks(m.ch0Start, pitHz)%65536)
		m.latchReads = 2
	case port == pitCh2 && m.ch2Writes < 2:
		m.ch2Count |= uint16(v) << (8 * m.ch2Writes)
		m.ch2Writes++
	case port == pitCh0 && m.ch0Writes < 2:
		if m.ch0Writes++; m.ch0Writes == 2 {
			m.ch0Start = m.ns
		}
	}
}
