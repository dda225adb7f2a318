package tsc

// Measured sources count a known clock for window seconds while the TSC
// runs: long enough that a port read's cost (about a microsecond under
// TCG) stays near 0.01%, short enough to keep boot quick.
const (
	windowDiv = 100 // the window is 1/100 s, 10 ms

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

// sample reads the counter between two TSC reads and pairs it with their
// midpoint. Of a few tries it keeps the quickest: a read that took long
// (the first run of the code under TCG, which translates it; a vCPU
// preempted on a busy host) would skew the result by as long.
func (c counter) sample(hw Hardware) (v uint32, at uint64) {
	best := ^uint64(0)
	for range 4 {
		t0 := hw.TSC()
		x := c.read(hw)
		t1 := hw.TSC()
		if t1-t0 < best {
			best, v, at = t1-t0, x, t0+(t1-t0)/2
		}
	}
	return v, at
}

// measure returns the TSC frequency against c. A counter that does not
// count the window while the TSC runs through what MaxHz would in twice
// the window is stuck or absent: then 0.
func measure(hw Hardware, c counter) uint64 {
	want := c.hz / windowDiv
	const limit = 2 * MaxHz / windowDiv
	prev, start := c.sample(hw)
	var ticks uint64
	for ticks < want {
		now := c.read(hw)
		ticks += c.elapsed(prev, now)
		prev = now
		if hw.TSC()-start > limit {
			return 0
		}
	}
	now, end := c.sample(hw)
	ticks += c.elapsed(prev, now)
	return (end - start) * c.hz / ticks
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
