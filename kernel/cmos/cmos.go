// Package cmos reads the PC's CMOS real-time clock (the MC146818's
// registers, through the index and data ports): the date at boot, and
// the once-a-second update that calibrates the TSC when nothing else
// can (kernel/tsc). It is plain Go over port I/O the caller provides, so
// it runs in kernel context and in host tests alike.
package cmos

// Ports is port I/O.
type Ports interface {
	Inb(port uint16) uint8
	Outb(port uint16, v uint8)
}

// The index and data ports, and the index bit that keeps NMIs disabled
// while a register is selected (the index port shares it with the NMI
// mask).
const (
	IndexPort = 0x70
	DataPort  = 0x71
	NMIOff    = 0x80
)

// Registers.
const (
	RegSeconds = 0x00
	RegMinutes = 0x02
	RegHours   = 0x04
	RegDay     = 0x07
	RegMonth   = 0x08
	RegYear    = 0x09
	RegA       = 0x0a
	RegB       = 0x0b
	RegCentury = 0x32 // where PCs keep it (ACPI's FADT names the register)
)

// Bits of registers A and B, and of the hours.
const (
	UpdateInProgress = 0x80 // register A: the fields are being updated
	twentyFourHour   = 0x02 // register B: hours run 0..23, not 1..12 with a PM bit
	binary           = 0x04 // register B: fields in binary, not BCD
	pm               = 0x80 // hours, 12-hour mode
)

// Read returns register reg.
//
// Context: kernel (no allocation, no pointer stores).
func Read(p Ports, reg uint8) uint8 {
	p.Outb(IndexPort, reg|NMIOff)
	return p.Inb(DataPort)
}

// UnixTime returns the clock as seconds since the Unix epoch, taking it
// to keep UTC (QEMU does). It waits for an update not to be in progress
// so that the fields agree.
//
// Context: kernel (no allocation, no pointer stores).
func UnixTime(p Ports) int64 {
	for Read(p, RegA)&UpdateInProgress != 0 {
	}
	sec, min, hour := Read(p, RegSeconds), Read(p, RegMinutes), Read(p, RegHours)
	day, mon, year := Read(p, RegDay), Read(p, RegMonth), Read(p, RegYear)
	century := Read(p, RegCentury)
	b := Read(p, RegB)
	sec, min, hour = Field(sec, b), Field(min, b), Field(hour&^pm, b)|hour&pm
	day, mon, year, century = Field(day, b), Field(mon, b), Field(year, b), Field(century, b)
	if b&twentyFourHour == 0 {
		// 12 AM is hour 0, 12 PM hour 12, 1 PM hour 13.
		h := hour &^ pm % 12
		if hour&pm != 0 {
			h += 12
		}
		hour = h
	}
	y := int64(year)
	if century >= 19 && century <= 21 {
		y += int64(century) * 100
	} else {
		y += 2000
	}
	return UnixSeconds(y, int64(mon), int64(day), int64(hour), int64(min), int64(sec))
}

// Field returns a date field's value from its register's v: BCD unless
// register B (b) says the fields are binary.
//
// Context: kernel (no allocation, no pointer stores).
func Field(v, b uint8) uint8 {
	if b&binary != 0 {
		return v
	}
	return v>>4*10 + v&0xf
}

// UnixSeconds converts a UTC civil date to seconds since 1970-01-01
// (days-from-civil, valid for the proleptic Gregorian calendar).
//
// Context: kernel (no allocation, no pointer stores).
func UnixSeconds(y, m, d, hh, mm, ss int64) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	days := era*146097 + doe - 719468
	return days*86400 + hh*3600 + mm*60 + ss
}
