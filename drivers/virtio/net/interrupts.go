package net

import (
	"errors"
	"fmt"

	"warren.dev/drivers/hw"
	"warren.dev/drivers/virtio"
)

// errTryFewerVectors marks a setup failure that a plan with fewer MSI-X
// vectors may avoid.
var errTryFewerVectors = errors.New("virtio-net: MSI-X vectors unavailable")

// plan is an interrupt layout: how many MSI-X vectors, 0 for the line
// interrupt (PCI INTx or virtio-mmio).
type plan struct{ vectors int }

// plansFor lists the layouts to try, best first (§4.1.5.1.2: after a
// mapping failure the driver MAY retry with fewer vectors). With MSI-X
// enabled the device never raises INTx, so INTx is only used without it.
func plansFor(c Config) []plan {
	if c.MSIX == nil {
		return []plan{{0}}
	}
	var ps []plan
	for _, v := range []int{3, 2, 1} {
		if v <= c.MSIX.Vectors() {
			ps = append(ps, plan{v})
		}
	}
	return ps
}

// assign gives the table entries for configuration changes, the receive
// queue and the transmit queue.
func (p plan) assign() (config, rx, tx int) {
	switch p.vectors {
	case 3:
		return 0, 1, 2
	case 2:
		return 0, 1, 1
	}
	return 0, 0, 0
}

// setupInterrupts allocates and routes the vectors of plan p and enables
// both queues with them.
func (d *Device) setupInterrupts(c Config, p plan) error {
	cfgVec, rxVec, txVec := uint16(virtio.NoVector), uint16(virtio.NoVector), uint16(virtio.NoVector)
	if p.vectors == 0 {
		d.irqs = []hw.Interrupt{c.Line}
	} else {
		for i := range p.vectors {
			msi, err := c.Interrupts.AllocMSI()
			if err != nil {
				return fmt.Errorf("%w: %v", errTryFewerVectors, err)
			}
			d.irqs = append(d.irqs, msi.Interrupt)
			if err := c.MSIX.Route(i, msi.Addr, msi.Data); err != nil {
				return err
			}
		}
		c, r, t := p.assign()
		cfgVec, rxVec, txVec = uint16(c), uint16(r), uint16(t)
	}
	if err := d.t.SetConfigVector(cfgVec); err != nil {
		return fmt.Errorf("%w: %v", errTryFewerVectors, err)
	}
	for _, q := range []struct {
		index int
		ring  *virtio.SplitQueue
		vec   uint16
	}{{rxQueueIndex, d.rx.q, rxVec}, {txQueueIndex, d.tx.q, txVec}} {
		bell, err := d.t.EnableQueue(q.index, q.ring, q.vec)
		if errors.Is(err, virtio.ErrVectorRefused) {
			return fmt.Errorf("%w: %v", errTryFewerVectors, err)
		}
		if err != nil {
			return err
		}
		q.ring.SetNotifier(bell)
	}
	return nil
}

// worker is one interrupt source and what it stands for.
type worker struct {
	irq            hw.Interrupt
	config, rx, tx bool
	line           bool // one line for all causes: read the interrupt status
}

func (d *Device) startWorkers(p plan) {
	cfg, rx, tx := p.assign()
	for v, irq := range d.irqs {
		w := worker{irq: irq, config: v == cfg, rx: v == rx, tx: v == tx, line: p.vectors == 0}
		d.wg.Add(1)
		go d.serve(w)
	}
}

// serve is an interrupt goroutine (§4.1.5.4, §4.2.3.4: with a line
// interrupt, read the interrupt status to learn the cause and acknowledge
// it; with MSI-X, the vector says).
func (d *Device) serve(w worker) {
	defer d.wg.Done()
	pollRX := d.pollRX
	if w.rx && w.tx {
		// Receive may wait for transmit room, which the transmit
		// interrupt ends. Served here, that interrupt would wait for
		// Receive to return: Receive gets a goroutine of its own.
		wake := make(chan struct{}, 1)
		defer close(wake)
		d.wg.Add(1)
		go d.receiver(wake)
		pollRX = func() {
			select {
			case wake <- struct{}{}:
			default: // a poll is pending; it will see these frames too
			}
		}
	}
	// The configuration may have changed, and frames may have arrived,
	// between Open reading it and this goroutine starting.
	if w.config {
		d.configChanged()
	}
	if w.rx {
		pollRX()
	}
	for {
		if w.irq.Wait() != nil || d.closed.Load() {
			return
		}
		cause := uint8(virtio.ISRQueue | virtio.ISRConfig)
		if w.line {
			if cause = d.t.InterruptStatus(); cause == 0 {
				continue // a shared line raised by another device
			}
		}
		if w.config && cause&virtio.ISRConfig != 0 {
			d.configChanged()
		}
		if w.tx && cause&virtio.ISRQueue != 0 {
			d.txInterrupt()
		}
		if w.rx && cause&virtio.ISRQueue != 0 {
			pollRX()
		}
	}
}

// receiver polls the receive ring each time serve passes it a receive
// interrupt, until serve closes wake.
func (d *Device) receiver(wake <-chan struct{}) {
	defer d.wg.Done()
	for range wake {
		d.pollRX()
	}
}

// configChanged handles a configuration change notification: the device
// needing a reset (§2.1.2) or a link status change (§5.1.4).
func (d *Device) configChanged() {
	if d.t.NeedsReset() {
		d.fail(virtio.ErrNeedsReset)
		return
	}
	if !d.features.Has(FStatus) {
		return
	}
	var status uint16
	if err := d.t.ReadDeviceConfig(func(c virtio.DeviceConfig) { status = c.Read16(cfgStatus) }); err != nil {
		return
	}
	up := status&statusLinkUp != 0
	if d.link.Swap(up) != up && d.onLink != nil {
		d.onLink(up)
	}
}
