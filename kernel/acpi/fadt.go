package acpi

// Byte offsets in the FADT (ACPI 6.4, table 5.9). The X_ fields are
// Generic Address Structures: address space, bit width, bit offset,
// access size, 64-bit address.
const (
	fadtDSDT      = 40
	fadtPM1aCnt   = 64
	fadtPM1bCnt   = 68
	fadtPMTmr     = 76
	fadtPMTmrLen  = 91
	fadtFlags     = 112
	fadtXDSDT     = 140
	fadtXPM1aCnt  = 172
	fadtXPM1bCnt  = 184
	fadtXPMTmr    = 208
	fadtSleepCtl  = 244
	gasLen        = 12
	gasSystemIO   = 1
	flagTmrValExt = 1 << 8
	flagHWReduced = 1 << 20
)

// readFADT fills info's registers from the FADT and returns the DSDT's
// address. A field past the table's end (an older revision) counts as 0;
// a 64-bit X_ field, when set, wins over its 32-bit one.
func readFADT(f []byte, info *Info) uint64 {
	info.PM1aControl = port(f, fadtPM1aCnt, fadtXPM1aCnt)
	info.PM1bControl = port(f, fadtPM1bCnt, fadtXPM1bCnt)
	flags := u32(f, fadtFlags)
	if flags&flagHWReduced != 0 {
		info.SleepControl = port(f, 0, fadtSleepCtl)
	} else if len(f) > fadtPMTmrLen && f[fadtPMTmrLen] == 4 {
		info.PMTimerPort = port(f, fadtPMTmr, fadtXPMTmr)
		info.PMTimer32 = flags&flagTmrValExt != 0
	}
	return dsdtAddr(f)
}

// dsdtAddr returns the DSDT's address the FADT f gives: X_DSDT when set,
// else DSDT.
func dsdtAddr(f []byte) uint64 {
	if len(f) >= fadtXDSDT+8 {
		if d := le.Uint64(f[fadtXDSDT:]); d != 0 {
			return d
		}
	}
	return uint64(u32(f, fadtDSDT))
}

// port returns the I/O port of a register given by a 32-bit port field
// at off32 (none when 0) or a Generic Address Structure at gas: the
// latter when it is set and in system I/O space.
func port(f []byte, off32, gas int) uint16 {
	if len(f) >= gas+gasLen {
		g := f[gas:]
		if a := le.Uint64(g[4:]); a != 0 {
			if g[0] != gasSystemIO || a > 0xffff {
				return 0
			}
			return uint16(a)
		}
	}
	if off32 == 0 {
		return 0
	}
	if a := u32(f, off32); a <= 0xffff {
		return uint16(a)
	}
	return 0
}

// u32 reads the 32-bit field at off, 0 past the table's end.
func u32(f []byte, off int) uint32 {
	if len(f) < off+4 {
		return 0
	}
	return le.Uint32(f[off:])
}
