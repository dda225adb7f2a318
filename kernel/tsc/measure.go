package tsc

// Measured sources count a known clock for window seconds while the TSC
// runs: long enough that a port read's cost (about a microsecond under
// TCG) stays near 0.01%, short enough to keep boot quick.
//
// A vCPU may be descheduled for tens or hundreds of milliseconds at any
// moment on a busy host. The clocks run on meanwhile, so a window is still
// measured right, unless the counter wrapped more than once between two
// reads: the PIT's 16 bits wrap every 55 ms, and a lost period makes the
// TSC seem 85% fast or more. A window whose reads all came close enough
// together that no period can hide between them (judged at MinHz, the
// slowest TSC) is trusted; one with a longer gap only when another such
// window agrees with it, as two windows with lost periods hardly can.
const (
	windowDiv = 100 // the window is 1/100 s, 10 ms
	tries     = 6   // windows measured before a source is given up
	agreeDiv  = 256 // windows that differ by under 1/256 agree

	pmTimerHz = 3579545
	pitHz     = 1193182
)

// counter is a free-running hardware counter: the ACPI PM timer at a
// port, counting up, or (port 0) a PIT channel, counting down.
type counter struct {
	port    uint16
	channel uint8 // the PIT's channel when port is 0
	hz      uint64
	mask    uint32 // the counter wraps at mask+1
}

func (c counter) read(hw Hardware) uint32 {
	if c.port != 0 {
		return hw.Inl(c.port) & c.mask
	}
	hw.Outb(pitCommand, c.channel<<6) // latch the channel's count
	data := pitCh0 + uint16(c.channel)
	lo := hw.Inb(data)
	return uint32(hw.Inb(data))<<8 | uint32(lo)
}

// elapsed returns the ticks from one reading to the next.
func (c counter) elapsed(prev, now uint32) uint64 {
	if c.port == 0 {
		return uint64((prev - now) & c.mask)
	}
	return uint64((now - prev) & c.mask)
}

// sample reads the counter between two TSC reads. Of a few tries it keeps
// the quickest, returning the TSC before the first (from) and around the
// one kept (t0, t1): a read that took long (the first run of the code
// under TCG, which translates it; a vCPU preempted on a busy host) would
// skew the result by as long.
func (c counter) sample(hw Hardware) (v uint32, from, t0, t1 uint64) {
	best := ^uint64(0)
	for i := range 4 {
		a := hw.TSC()
		x := c.read(hw)
		b := hw.TSC()
		if i == 0 {
			from = a
		}
		if b-a < best {
			best, v, t0, t1 = b-a, x, a, b
		}
	}
	return v, from, t0, t1
}

// window measures the TSC frequency against c over one window. whole says
// that no period of the counter can have passed unseen. ok is false when
// the counter did not count the window while the TSC, watched without a
// gap, ran through what MaxHz would in twice the window: it is stuck or
// absent.
func (c counter) window(hw Hardware) (hz uint64, whole, ok bool) {
	want := c.hz / windowDiv
	const limit = 2 * MaxHz / windowDiv
	// A read's TSC is taken after it, so the time between two reads lies
	// within two steps: each must stay under half a period at MinHz.
	gap := (uint64(c.mask) + 1) * MinHz / c.hz / 2
	prev, last, s0, s1 := c.sample(hw)
	var ticks, watched uint64
	whole = true
	for ticks < want {
		now := c.read(hw)
		t := hw.TSC()
		ticks += c.elapsed(prev, now)
		prev = now
		if step := t - last; step > gap {
			whole = false
		} else if watched += step; watched > limit {
			return 0, false, false
		}
		last = t
	}
	now, _, e0, e1 := c.sample(hw)
	ticks += c.elapsed(prev, now)
	if e1-last > gap {
		whole = false
	}
	start, end := s0+(s1-s0)/2, e0+(e1-e0)/2
	return (end - start) * c.hz / ticks, whole, true
}

// measure returns the TSC frequency against c: the first window measured
// whole, or the first that agrees with an earlier one; 0 when there is
// none in a few tries or the counter does not count.
func measure(hw Hardware, c counter) uint64 {
	var seen [tries]uint64
	for i := range seen {
		hz, whole, ok := c.window(hw)
		if !ok {
			return 0
		}
		if whole {
			return hz
		}
		for _, prev := range seen[:i] {
			if diff := max(hz, prev) - min(hz, prev); diff < prev/agreeDiv {
				return (hz + prev) / 2
			}
		}
		seen[i] = hz
	}
	return 0
}

func measurePMTimer(hw Hardware, cfg Config) uint64 {
	if cfg.PMTimerPort == 0 {
		return 0
	}
	c := counter{port: cfg.PMTimerPort, hz: pmTimerHz, mask: 1<<24 - 1}
	if cfg.PMTimer32 {
		c.mask = 1<<32 - 1
	}
	return measure(hw, c)
}
