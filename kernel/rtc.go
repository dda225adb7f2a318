package kernel

import "warren.dev/kernel/cpu"

// readRTC returns the CMOS real-time clock as seconds since the Unix
// epoch (the MC146818 registers; QEMU keeps them in UTC).
//
// Context: kernel (no allocation, no pointer stores).
func readRTC() int64 {
	// Wait for an update not to be in progress so the fields agree.
	for cmos(0x0a)&0x80 != 0 {
	}
	sec, min, hour := cmos(0x00), cmos(0x02), cmos(0x04)
	day, mon, year := cmos(0x07), cmos(0x08), cmos(0x09)
	century := cmos(0x32)
	if cmos(0x0b)&0x04 == 0 { // BCD
		sec, min, hour = bcd(sec), bcd(min), bcd(hour&0x7f)|hour&0x80
		day, mon, year, century = bcd(day), bcd(mon), bcd(year), bcd(century)
	}
	if cmos(0x0b)&0x02 == 0 && hour&0x80 != 0 { // 12-hour clock, PM
		hour = (hour&0x7f + 12) % 24
	}
	y := int64(year)
	if century >= 19 && century <= 21 {
		y += int64(century) * 100
	} else {
		y += 2000
	}
	return unixSeconds(y, int64(mon), int64(day), int64(hour), int64(min), int64(sec))
}

func cmos(reg uint8) uint8 {
	cpu.Outb(rtcPort, reg|0x80) // keep NMIs disabled while selecting
	return cpu.Inb(rtcPort + 1)
}

func bcd(v uint8) uint8 { return v>>4*10 + v&0xf }

// unixSeconds converts a UTC civil date to seconds since 1970-01-01
// (days-from-civil, valid for the proleptic Gregorian calendar).
func unixSeconds(y, m, d, hh, mm, ss int64) int64 {
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
