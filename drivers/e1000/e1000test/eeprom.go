package e1000test

import "warren.dev/drivers/e1000/internal/reg"

// buildEEPROM lays out the 64-word EEPROM (§5.6): the address in words
// 0-2, a few plausible defaults, and the checksum word.
func (m *Model) buildEEPROM() {
	a := m.cfg.MAC
	for i := range 3 {
		m.eeprom[i] = uint16(a[2*i]) | uint16(a[2*i+1])<<8
	}
	m.eeprom[0x0A] = 0x6C00 // Initialization Control Word 1
	m.eeprom[0x0D] = 0x100E // Device ID
	m.eeprom[0x0E] = 0x8086 // Vendor ID
	var sum uint16
	for _, w := range m.eeprom[:reg.EEPROM_CHECKSUM] {
		sum += w
	}
	m.eeprom[reg.EEPROM_CHECKSUM] = reg.EEPROM_SUM - sum
	if m.cfg.BadEEPROMChecksum {
		m.eeprom[reg.EEPROM_CHECKSUM]++
	}
}

func (m *Model) is82574() bool { return m.cfg.DeviceID == 0x10D3 }

func (m *Model) eerdDone() uint32 {
	if m.is82574() {
		return reg.EERD_DONE_82574
	}
	return reg.EERD_DONE
}

// writeEERD starts a read (§13.4.4); the result shows on the next reads.
func (m *Model) writeEERD(v uint32) {
	if v&reg.EERD_START == 0 {
		m.r[reg.EERD/4] = v
		return
	}
	var addr uint32
	if m.is82574() {
		addr = v >> reg.EERD_ADDR_SHIFT_2 & 0x3FFF
	} else {
		addr = v >> reg.EERD_ADDR_SHIFT & 0xFF
	}
	var data uint16
	if addr < reg.EEPROM_WORDS {
		data = m.eeprom[addr]
	} else {
		m.errorf("EERD read of word %#x: the EEPROM has %d", addr, reg.EEPROM_WORDS)
	}
	m.r[reg.EERD/4] = v&^reg.EERD_START&0xFFFF | m.eerdDone() | uint32(data)<<reg.EERD_DATA_SHIFT
	m.eerdReads = m.cfg.EERDReads
}
