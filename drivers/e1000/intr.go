package e1000

import "warren.dev/drivers/e1000/internal/reg"

// imsEnabled are the causes that interrupt (§13.4.20): a received frame
// (RXT0), receiver overrun (RXO), receive ring half empty (RXDMT0), link
// change (LSC) and transmit descriptor write-back (TXDW).
const imsEnabled = reg.ICR_RXT0 | reg.ICR_RXO | reg.ICR_RXDMT0 | reg.ICR_LSC | reg.ICR_TXDW

// setupInterrupts sets the throttle (§13.4.18): ITR is the minimum gap
// between interrupts in 256 ns units. Receive and transmit delay timers
// stay off.
func (d *Device) setupInterrupts() {
	itr := uint32(0)
	if rate := d.opts.InterruptRate; rate > 0 {
		itr = uint32(min(max(1_000_000_000/(256*rate), 1), 0xFFFF))
	}
	d.regs.Write32(reg.ITR, itr)
}

// serve is the interrupt goroutine. The line is level-triggered and
// masked by the platform while it waits for us: reading ICR clears every
// cause and deasserts it (§13.4.17), so the device is quiet before the
// next Wait, and a cause raised while the work below runs asserts the
// line anew and is not lost. The work does not depend on which causes
// were read: the rings are checked on every interrupt.
func (d *Device) serve() {
	defer close(d.done)
	for d.irq.Wait() == nil {
		icr := d.regs.Read32(reg.ICR)
		if icr == 0 {
			continue // a shared line, another device's interrupt
		}
		d.stats.interrupts.Add(1)
		if icr&reg.ICR_LSC != 0 {
			d.linkChanged()
		}
		if icr&reg.ICR_RXO != 0 {
			d.stats.rxOverruns.Add(1)
		}
		d.receive()
		d.txDone()
	}
}

// linkChanged reports a link state change to Options.LinkChange.
func (d *Device) linkChanged() {
	up := d.LinkUp()
	if up == d.linkSeen {
		return
	}
	d.linkSeen = up
	d.stats.linkChanges.Add(1)
	if d.linkChange != nil {
		d.linkChange(up)
	}
}
