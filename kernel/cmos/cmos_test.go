package cmos

import (
	"testing"
	"time"
)

// chip models the registers behind the two ports; uipReads is how many
// more reads of register A see an update in progress.
type chip struct {
	index    uint8
	regs     [128]uint8
	uipReads int
	nmiOff   bool
}

func (c *chip) Outb(port uint16, v uint8) {
	if port == IndexPort {
		c.index, c.nmiOff = v&0x7f, v&0x80 != 0
	}
}

func (c *chip) Inb(port uint16) uint8 {
	if port != DataPort {
		return 0xff
	}
	v := c.regs[c.index]
	if c.index == RegA && c.uipReads > 0 {
		c.uipReads--
		v |= UpdateInProgress
	}
	return v
}

func toBCD(v int) uint8 { return uint8(v/10<<4 | v%10) }

// set loads tm into the registers in the given mode.
func (c *chip) set(tm time.Time, bcdMode, hours24 bool) {
	enc := func(v int) uint8 {
		if bcdMode {
			return toBCD(v)
		}
		return uint8(v)
	}
	c.regs[RegB] = 0
	if !bcdMode {
		c.regs[RegB] |= binary
	}
	h := tm.Hour()
	var pmBit uint8
	if hours24 {
		c.regs[RegB] |= twentyFourHour
	} else {
		if h >= 12 {
			pmBit = pm
		}
		if h %= 12; h == 0 {
			h = 12
		}
	}
	c.regs[RegSeconds], c.regs[RegMinutes], c.regs[RegHours] = enc(tm.Second()), enc(tm.Minute()), enc(h)|pmBit
	c.regs[RegDay], c.regs[RegMonth], c.regs[RegYear] = enc(tm.Day()), enc(int(tm.Month())), enc(tm.Year()%100)
	c.regs[RegCentury] = enc(tm.Year() / 100)
}

func TestUnixTime(t *testing.T) {
	times := []time.Time{
		time.Date(2026, 12, 7, 0, 5, 9, 0, time.UTC),   // 12 AM
		time.Date(2026, 12, 7, 12, 30, 0, 0, time.UTC), // 12 PM
		time.Date(2026, 12, 7, 13, 59, 59, 0, time.UTC),
		time.Date(2000, 2, 29, 23, 0, 1, 0, time.UTC),
		time.Date(1999, 12, 31, 11, 59, 59, 0, time.UTC),
	}
	for _, tm := range times {
		for _, mode := range []struct{ bcd, h24 bool }{{true, true}, {true, false}, {false, true}, {false, false}} {
			c := &chip{uipReads: 3}
			c.set(tm, mode.bcd, mode.h24)
			if got := UnixTime(c); got != tm.Unix() {
				t.Errorf("%v (BCD %v, 24-hour %v): %v", tm, mode.bcd, mode.h24, time.Unix(got, 0).UTC())
			}
			if c.uipReads != 0 {
				t.Errorf("%v: read the fields during an update", tm)
			}
			if !c.nmiOff {
				t.Error("selected a register with NMIs enabled")
			}
		}
	}
}

// Without a plausible century register, the year is taken as 20xx.
func TestUnixTimeNoCentury(t *testing.T) {
	c := &chip{}
	tm := time.Date(2031, 5, 6, 7, 8, 9, 0, time.UTC)
	c.set(tm, true, true)
	c.regs[RegCentury] = 0
	if got := UnixTime(c); got != tm.Unix() {
		t.Errorf("got %v, want %v", time.Unix(got, 0).UTC(), tm)
	}
}

func TestUnixSeconds(t *testing.T) {
	for _, tm := range []time.Time{
		time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2000, 2, 29, 23, 59, 59, 0, time.UTC),
		time.Date(2026, 11, 21, 19, 35, 15, 0, time.UTC),
		time.Date(2100, 3, 1, 12, 0, 0, 0, time.UTC),
	} {
		got := UnixSeconds(int64(tm.Year()), int64(tm.Month()), int64(tm.Day()), int64(tm.Hour()), int64(tm.Minute()), int64(tm.Second()))
		if got != tm.Unix() {
			t.Errorf("%v: got %d want %d", tm, got, tm.Unix())
		}
	}
}
