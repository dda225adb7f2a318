package e1000

import (
	"sync/atomic"

	"warren.dev/drivers/e1000/internal/reg"
)

// Stats are the driver's counters since Open.
type Stats struct {
	RxPackets uint64 // frames delivered to the receiver
	RxBytes   uint64
	// RxDropped counts every received frame not delivered: those below,
	// and good frames when no receiver was installed.
	RxDropped uint64
	// RxErrors: frames the device flagged corrupt (CE, SE, SEQ, CXE,
	// RXE).
	RxErrors uint64
	// RxLengthErrors: frames shorter than an Ethernet header, longer
	// than MaxFrameLen, or spanning several descriptors.
	RxLengthErrors uint64
	// RxCsumErrors: frames in which the device found a wrong IPv4, TCP
	// or UDP checksum; delivered without CsumValid.
	RxCsumErrors uint64
	// RxOverruns: receiver overrun interrupts, the ring having been full
	// (HWStats.MPC counts the frames lost).
	RxOverruns uint64

	TxPackets uint64 // frames the device reported sent
	TxBytes   uint64
	// TxDropped: frames Transmit refused as malformed.
	TxDropped uint64
	// TxErrors: frames the device reported failed (EC, LC, TU).
	TxErrors uint64
	// TxRingFull: Transmit calls cut short by a full ring.
	TxRingFull uint64

	Interrupts  uint64 // interrupts handled
	LinkChanges uint64 // link state changes seen by the interrupt goroutine
}

type counters struct {
	rxPackets, rxBytes, rxDropped, rxErrors, rxLengthErrors, rxCsumErrors, rxOverruns atomic.Uint64
	txPackets, txBytes, txDropped, txErrors, txRingFull                               atomic.Uint64
	interrupts, linkChanges                                                           atomic.Uint64
}

// Stats returns the driver's counters.
func (d *Device) Stats() Stats {
	c := &d.stats
	return Stats{
		RxPackets:      c.rxPackets.Load(),
		RxBytes:        c.rxBytes.Load(),
		RxDropped:      c.rxDropped.Load(),
		RxErrors:       c.rxErrors.Load(),
		RxLengthErrors: c.rxLengthErrors.Load(),
		RxCsumErrors:   c.rxCsumErrors.Load(),
		RxOverruns:     c.rxOverruns.Load(),
		TxPackets:      c.txPackets.Load(),
		TxBytes:        c.txBytes.Load(),
		TxDropped:      c.txDropped.Load(),
		TxErrors:       c.txErrors.Load(),
		TxRingFull:     c.txRingFull.Load(),
		Interrupts:     c.interrupts.Load(),
		LinkChanges:    c.linkChanges.Load(),
	}
}

// HWStats are the device's statistics registers (§13.7), named as there,
// accumulated since Open (the registers clear when read). The octet
// counters GORC, GOTC, TOR and TOT are the 64-bit register pairs.
type HWStats struct {
	CRCERRS, ALGNERRC, SYMERRS, RXERRC, MPC, SCC, ECOL, MCC, LATECOL, COLC,
	DC, TNCRS, SEC, CEXTERR, RLEC, XONRXC, XONTXC, XOFFRXC, XOFFTXC, FCRUC,
	PRC64, PRC127, PRC255, PRC511, PRC1023, PRC1522, GPRC, BPRC, MPRC, GPTC,
	GORC, GOTC, RNBC, RUC, RFC, ROC, RJC, MGTPRC, MGTPDC, MGTPTC, TOR, TOT,
	TPR, TPT, PTC64, PTC127, PTC255, PTC511, PTC1023, PTC1522, MPTC, BPTC,
	TSCTC, TSCTFC uint64
}

// hwCounter is a statistics register: its offset (the low half of a
// 64-bit pair), whether it is a pair, whether QEMU's model leaves it
// uncleared by reads, and its field.
type hwCounter struct {
	off    uint64
	wide   bool
	sticky bool
	field  func(*HWStats) *uint64
}

var hwCounters = [...]hwCounter{
	{reg.CRCERRS, false, true, func(s *HWStats) *uint64 { return &s.CRCERRS }},
	{reg.ALGNERRC, false, true, func(s *HWStats) *uint64 { return &s.ALGNERRC }},
	{reg.SYMERRS, false, true, func(s *HWStats) *uint64 { return &s.SYMERRS }},
	{reg.RXERRC, false, true, func(s *HWStats) *uint64 { return &s.RXERRC }},
	{reg.MPC, false, true, func(s *HWStats) *uint64 { return &s.MPC }},
	{reg.SCC, false, true, func(s *HWStats) *uint64 { return &s.SCC }},
	{reg.ECOL, false, true, func(s *HWStats) *uint64 { return &s.ECOL }},
	{reg.MCC, false, true, func(s *HWStats) *uint64 { return &s.MCC }},
	{reg.LATECOL, false, true, func(s *HWStats) *uint64 { return &s.LATECOL }},
	{reg.COLC, false, true, func(s *HWStats) *uint64 { return &s.COLC }},
	{reg.DC, false, true, func(s *HWStats) *uint64 { return &s.DC }},
	{reg.TNCRS, false, true, func(s *HWStats) *uint64 { return &s.TNCRS }},
	{reg.SEC, false, true, func(s *HWStats) *uint64 { return &s.SEC }},
	{reg.CEXTERR, false, true, func(s *HWStats) *uint64 { return &s.CEXTERR }},
	{reg.RLEC, false, true, func(s *HWStats) *uint64 { return &s.RLEC }},
	{reg.XONRXC, false, true, func(s *HWStats) *uint64 { return &s.XONRXC }},
	{reg.XONTXC, false, true, func(s *HWStats) *uint64 { return &s.XONTXC }},
	{reg.XOFFRXC, false, true, func(s *HWStats) *uint64 { return &s.XOFFRXC }},
	{reg.XOFFTXC, false, true, func(s *HWStats) *uint64 { return &s.XOFFTXC }},
	{reg.FCRUC, false, true, func(s *HWStats) *uint64 { return &s.FCRUC }},
	{reg.PRC64, false, false, func(s *HWStats) *uint64 { return &s.PRC64 }},
	{reg.PRC127, false, false, func(s *HWStats) *uint64 { return &s.PRC127 }},
	{reg.PRC255, false, false, func(s *HWStats) *uint64 { return &s.PRC255 }},
	{reg.PRC511, false, false, func(s *HWStats) *uint64 { return &s.PRC511 }},
	{reg.PRC1023, false, false, func(s *HWStats) *uint64 { return &s.PRC1023 }},
	{reg.PRC1522, false, false, func(s *HWStats) *uint64 { return &s.PRC1522 }},
	{reg.GPRC, false, false, func(s *HWStats) *uint64 { return &s.GPRC }},
	{reg.BPRC, false, false, func(s *HWStats) *uint64 { return &s.BPRC }},
	{reg.MPRC, false, false, func(s *HWStats) *uint64 { return &s.MPRC }},
	{reg.GPTC, false, false, func(s *HWStats) *uint64 { return &s.GPTC }},
	{reg.GORCL, true, false, func(s *HWStats) *uint64 { return &s.GORC }},
	{reg.GOTCL, true, false, func(s *HWStats) *uint64 { return &s.GOTC }},
	{reg.RNBC, false, true, func(s *HWStats) *uint64 { return &s.RNBC }},
	{reg.RUC, false, false, func(s *HWStats) *uint64 { return &s.RUC }},
	{reg.RFC, false, true, func(s *HWStats) *uint64 { return &s.RFC }},
	{reg.ROC, false, false, func(s *HWStats) *uint64 { return &s.ROC }},
	{reg.RJC, false, true, func(s *HWStats) *uint64 { return &s.RJC }},
	{reg.MGTPRC, false, true, func(s *HWStats) *uint64 { return &s.MGTPRC }},
	{reg.MGTPDC, false, true, func(s *HWStats) *uint64 { return &s.MGTPDC }},
	{reg.MGTPTC, false, true, func(s *HWStats) *uint64 { return &s.MGTPTC }},
	{reg.TORL, true, false, func(s *HWStats) *uint64 { return &s.TOR }},
	{reg.TOTL, true, false, func(s *HWStats) *uint64 { return &s.TOT }},
	{reg.TPR, false, false, func(s *HWStats) *uint64 { return &s.TPR }},
	{reg.TPT, false, false, func(s *HWStats) *uint64 { return &s.TPT }},
	{reg.PTC64, false, false, func(s *HWStats) *uint64 { return &s.PTC64 }},
	{reg.PTC127, false, false, func(s *HWStats) *uint64 { return &s.PTC127 }},
	{reg.PTC255, false, false, func(s *HWStats) *uint64 { return &s.PTC255 }},
	{reg.PTC511, false, false, func(s *HWStats) *uint64 { return &s.PTC511 }},
	{reg.PTC1023, false, false, func(s *HWStats) *uint64 { return &s.PTC1023 }},
	{reg.PTC1522, false, false, func(s *HWStats) *uint64 { return &s.PTC1522 }},
	{reg.MPTC, false, false, func(s *HWStats) *uint64 { return &s.MPTC }},
	{reg.BPTC, false, false, func(s *HWStats) *uint64 { return &s.BPTC }},
	{reg.TSCTC, false, false, func(s *HWStats) *uint64 { return &s.TSCTC }},
	{reg.TSCTFC, false, true, func(s *HWStats) *uint64 { return &s.TSCTFC }},
}

// hwState follows registers that turn out not to clear on read.
type hwState struct {
	sticky [len(hwCounters)]bool
	last   [len(hwCounters)]uint32
}

// HWStats reads the statistics registers, adds them to the totals and
// returns the totals. Read them often enough that no 32-bit register
// wraps (packet counters take hours at a gigabit; the octet counters are
// 64-bit pairs, whose high half clears both when read).
//
// The registers clear when read (§13.7), but QEMU's model leaves MPC,
// RNBC and the other error counters it marks sticky uncleared. Such a
// register, found reading the same non-zero value twice running, is
// followed by differences from then on.
func (d *Device) HWStats() HWStats {
	d.hwMu.Lock()
	defer d.hwMu.Unlock()
	st := &d.hwState
	for i, c := range hwCounters {
		p := c.field(&d.hwTotal)
		v := d.regs.Read32(c.off)
		switch {
		case c.wide:
			*p += uint64(v) | uint64(d.regs.Read32(c.off+4))<<32
		case st.sticky[i]:
			*p += uint64(v - st.last[i])
			st.last[i] = v
		case v != 0 && c.sticky:
			v2 := d.regs.Read32(c.off)
			if v2 == v {
				st.sticky[i], st.last[i] = true, v
				*p += uint64(v)
			} else {
				*p += uint64(v) + uint64(v2)
			}
		default:
			*p += uint64(v)
		}
	}
	return d.hwTotal
}
