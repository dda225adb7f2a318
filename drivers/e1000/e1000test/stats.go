package e1000test

import "warren.dev/drivers/e1000/internal/reg"

// readStat reads a statistics register (§13.7): it clears on read; the
// high half of a 64-bit counter clears both halves. With StickyStats the
// error counters QEMU never clears keep their value.
func (m *Model) readStat(off uint64) uint32 {
	v := m.r[off/4]
	switch off {
	case reg.GORCL, reg.GOTCL, reg.TORL, reg.TOTL:
		return v
	case reg.GORCH, reg.GOTCH, reg.TORH, reg.TOTH:
		m.r[off/4-1] = 0
	case reg.CRCERRS, reg.ALGNERRC, reg.SYMERRS, reg.RXERRC, reg.MPC, reg.RNBC, reg.SCC, reg.ECOL:
		if m.cfg.StickyStats {
			return v
		}
	}
	m.r[off/4] = 0
	return v
}

// inc adds n to a 32-bit counter, which sticks at its maximum.
func (m *Model) inc(off uint64, n uint32) {
	v := m.r[off/4]
	if v+n < v {
		m.r[off/4] = ^uint32(0)
		return
	}
	m.r[off/4] = v + n
}

// inc64 adds n to a 64-bit counter pair.
func (m *Model) inc64(low uint64, n uint64) {
	v := uint64(m.r[low/4]) | uint64(m.r[low/4+1])<<32
	v += n
	m.r[low/4], m.r[low/4+1] = uint32(v), uint32(v>>32)
}

// sizeBucket is the PRC or PTC register counting frames of length n
// (with FCS).
func sizeBucket(first uint64, n int) uint64 {
	switch {
	case n <= 64:
		return first
	case n <= 127:
		return first + 4
	case n <= 255:
		return first + 8
	case n <= 511:
		return first + 12
	case n <= 1023:
		return first + 16
	}
	return first + 20
}
