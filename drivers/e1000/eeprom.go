package e1000

import (
	"errors"
	"fmt"
	"time"

	"warren.dev/drivers/e1000/internal/reg"
)

// readEEPROM reads one 16-bit EEPROM word through EERD (§13.4.4): write
// the address with START, poll for DONE, take the data from the top half.
func (d *Device) readEEPROM(addr int) (uint16, error) {
	r := d.regs
	r.Write32(reg.EERD, uint32(addr)<<d.chip.eerdShift|reg.EERD_START)
	start := time.Now()
	for {
		v := r.Read32(reg.EERD)
		if v&d.chip.eerdDone != 0 {
			return uint16(v >> reg.EERD_DATA_SHIFT), nil
		}
		if time.Since(start) > eepromTimeout {
			return 0, fmt.Errorf("e1000: EEPROM word %#x: EERD.DONE never set", addr)
		}
	}
}

// readMAC finds the station address: in RAL0/RAH0 when the device loaded
// it there from the EEPROM at reset (RAH0.AV set, §13.5.2), otherwise
// from EEPROM words 0-2 (§5.6.1), after checking the EEPROM checksum.
func (d *Device) readMAC() ([6]byte, error) {
	var mac [6]byte
	lo, hi := d.regs.Read32(reg.RAL0), d.regs.Read32(reg.RAH0)
	if hi&reg.RAH_AV != 0 {
		mac = [6]byte{byte(lo), byte(lo >> 8), byte(lo >> 16), byte(lo >> 24), byte(hi), byte(hi >> 8)}
		if validMAC(mac) {
			return mac, nil
		}
	}
	var words [reg.EEPROM_WORDS]uint16
	var sum uint16
	for i := range words {
		w, err := d.readEEPROM(i)
		if err != nil {
			return mac, err
		}
		words[i] = w
		sum += w
	}
	if sum != reg.EEPROM_SUM {
		return mac, fmt.Errorf("e1000: EEPROM checksum %#04x, want %#04x", sum, reg.EEPROM_SUM)
	}
	for i := range 3 {
		mac[2*i] = byte(words[reg.EEPROM_MAC+i])
		mac[2*i+1] = byte(words[reg.EEPROM_MAC+i] >> 8)
	}
	if !validMAC(mac) {
		return mac, errors.New("e1000: no valid Ethernet address in RAL0 or the EEPROM")
	}
	return mac, nil
}

// validMAC rejects zero, broadcast and multicast addresses.
func validMAC(m [6]byte) bool {
	return m != [6]byte{} && m[0]&1 == 0
}
