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
// port, counting up, or (port 0) PIT channel 0, counting down.
type counter struct {
	port uint16
	hz   uint64
	mask uint32 // the counter wraps at mask+1
}

func (c counter) read(hw Hardware) uint32 {
	if c.port != 0 {
		return hw.Inl(c.port) & c.mask
	}
	hw.Outb(pitCommand, pitLatch0)
	lo := hw.Inb(pitCh0)
	return uint32(hw.Inb(pitCh0))<<8 | uint32(lo)
}

// elapsed returns the ticks from one reading to the next.
func (c counter) elapsed(prev, now uint32) uint64 {
	if c.port == 0 {
		return uint64((prev - now) & c.mask)
	}
	return uint64((now - prev) & c.mask)
}

// measure returns the TSC frequency against c. A counter that does not
// count the window while the TSC runs through what MaxHz would in twice
// the window is stuck or absent: then 0.
func measure(hw Hardware, c counter) uint64 {
	want := c.hz / windowDiv
	const limit = 2 * MaxHz / windowDiv
	prev := c.read(hw)
	start := hw.TSC()
	var ticks uint64
	for ticks < want {
		now := c.read(hw)
		ticks += c.elapsed(prev, now)
		prev = now
		if hw.TSC()-start > limit {
			return 0
		}
	}
	return (hw.TSC() - start) * c.hz / ticks
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
