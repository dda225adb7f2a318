package e1000

import "warren.dev/drivers/e1000/internal/reg"

// setupFilters programs the station address into RAL0/RAH0 with AV set,
// clears the other receive address slots and the multicast table (§14.4).
func (d *Device) setupFilters() {
	r := d.regs
	m := d.mac
	r.Write32(reg.RAL0, uint32(m[0])|uint32(m[1])<<8|uint32(m[2])<<16|uint32(m[3])<<24)
	r.Write32(reg.RAH0, uint32(m[4])|uint32(m[5])<<8|reg.RAH_AV)
	for i := 1; i < reg.RAEntries; i++ {
		r.Write32(reg.RAH(i), 0) // AV off first
		r.Write32(reg.RAL(i), 0)
	}
	for i := range reg.MTAEntries {
		r.Write32(reg.MTA+4*uint64(i), 0)
	}
}

// mtaHash is the multicast table bit for addr with RCTL.MO = 00: bits
// 47:36 of the address (§13.5.1).
func mtaHash(addr [6]byte) uint32 {
	return (uint32(addr[4])>>4 | uint32(addr[5])<<4) & 0xFFF
}

// SetMulticast makes the device accept frames sent to the multicast
// addresses in addrs (an imperfect hash filter: a few others get
// through), or to every multicast address when all is set. It programs
// the multicast table only; RCTL is not touched.
func (d *Device) SetMulticast(addrs [][6]byte, all bool) {
	var mta [reg.MTAEntries]uint32
	for _, a := range addrs {
		h := mtaHash(a)
		mta[h>>5] |= 1 << (h & 31)
	}
	if all {
		for i := range mta {
			mta[i] = ^uint32(0)
		}
	}
	d.mcMu.Lock()
	defer d.mcMu.Unlock()
	for i, v := range mta {
		d.regs.Write32(reg.MTA+4*uint64(i), v)
	}
}
