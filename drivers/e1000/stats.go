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

// hwCounters pairs each statistics register with its field. Offsets of
// 64-bit counters are their low halves.
func (s *HWStats) hwCounters() []struct {
	off  uint64
	wide bool
	p    *uint64
} {
	type c = struct {
		off  uint64
		wide bool
		p    *uint64
	}
	return []c{
		{reg.CRCERRS, false, &s.CRCERRS}, {reg.ALGNERRC, false, &s.ALGNERRC},
		{reg.SYMERRS, false, &s.SYMERRS}, {reg.RXERRC, false, &s.RXERRC},
		{reg.MPC, false, &s.MPC}, {reg.SCC, false, &s.SCC},
		{reg.ECOL, false, &s.ECOL}, {reg.MCC, false, &s.MCC},
		{reg.LATECOL, false, &s.LATECOL}, {reg.COLC, false, &s.COLC},
		{reg.DC, false, &s.DC}, {reg.TNCRS, false, &s.TNCRS},
		{reg.SEC, false, &s.SEC}, {reg.CEXTERR, false, &s.CEXTERR},
		{reg.RLEC, false, &s.RLEC}, {reg.XONRXC, false, &s.XONRXC},
		{reg.XONTXC, false, &s.XONTXC}, {reg.XOFFRXC, false, &s.XOFFRXC},
		{reg.XOFFTXC, false, &s.XOFFTXC}, {reg.FCRUC, false, &s.FCRUC},
		{reg.PRC64, false, &s.PRC64}, {reg.PRC127, false, &s.PRC127},
		{reg.PRC255, false, &s.PRC255}, {reg.PRC511, false, &s.PRC511},
		{reg.PRC1023, false, &s.PRC1023}, {reg.PRC1522, false, &s.PRC1522},
		{reg.GPRC, false, &s.GPRC}, {reg.BPRC, false, &s.BPRC},
		{reg.MPRC, false, &s.MPRC}, {reg.GPTC, false, &s.GPTC},
		{reg.GORCL, true, &s.GORC}, {reg.GOTCL, true, &s.GOTC},
		{reg.RNBC, false, &s.RNBC}, {reg.RUC, false, &s.RUC},
		{reg.RFC, false, &s.RFC}, {reg.ROC, false, &s.ROC},
		{reg.RJC, false, &s.RJC}, {reg.MGTPRC, false, &s.MGTPRC},
		{reg.MGTPDC, false, &s.MGTPDC}, {reg.MGTPTC, false, &s.MGTPTC},
		{reg.TORL, true, &s.TOR}, {reg.TOTL, true, &s.TOT},
		{reg.TPR, false, &s.TPR}, {reg.TPT, false, &s.TPT},
		{reg.PTC64, false, &s.PTC64}, {reg.PTC127, false, &s.PTC127},
		{reg.PTC255, false, &s.PTC255}, {reg.PTC511, false, &s.PTC511},
		{reg.PTC1023, false, &s.PTC1023}, {reg.PTC1522, false, &s.PTC1522},
		{reg.MPTC, false, &s.MPTC}, {reg.BPTC, false, &s.BPTC},
		{reg.TSCTC, false, &s.TSCTC}, {reg.TSCTFC, false, &s.TSCTFC},
	}
}

// HWStats reads the statistics registers, adds them to the totals and
// returns the totals. Read them often enough that no 32-bit register
// wraps (at a gigabit, GORC's low word alone would in half a minute,
// hence the 64-bit pairs; packet counters take hours).
func (d *Device) HWStats() HWStats {
	d.hwMu.Lock()
	defer d.hwMu.Unlock()
	for _, c := range d.hwTotal.hwCounters() {
		v := uint64(d.regs.Read32(c.off))
		if c.wide {
			v |= uint64(d.regs.Read32(c.off+4)) << 32 // reading the high half clears both
		}
		*c.p += v
	}
	return d.hwTotal
}
