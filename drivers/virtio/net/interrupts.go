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

// plan is an interrupt layout.
type plan int

const (
	perQueue  plan = iota // MSI-X: configuration, each receive queue, each transmit queue
	perPair               // MSI-X: configuration, each pair
	oneVector             // MSI-X: one vector for everything
	line                  // the line interrupt (PCI INTx or virtio-mmio)
)

// plansFor lists the layouts to try, best first (§4.1.5.1.2: after a
// mapping failure the driver MAY retry with fewer vectors). With MSI-X
// enabled the device never raises INTx, so INTx is only used without it.
// Whether a plan's vectors fit the table is known once the number of
// pairs is (setupInterrupts).
func plansFor(c Config) []plan {
	if c.MSIX == nil {
		return []plan{line}
	}
	return []plan{perQueue, perPair, oneVector}
}

// vectors is the number of MSI-X vectors p takes for pairs pairs.
func (p plan) vectors(pairs int) int {
	switch p {
	case perQueue:
		return 1 + 2*pairs
	case perPair:
		return 1 + pairs
	case oneVector:
		return 1
	}
	return 0
}

// vectorOf gives the table entry of the configuration change interrupt
// (queue -1) and of each queue (by index) under p; 0 for the line.
func (p plan) vectorOf(queue int) int {
	switch {
	case queue < 0 || p == oneVector || p == line:
		return 0
	case p == perPair:
		return 1 + queue/2
	}
	return 1 + queue
}

// setupInterrupts allocates and routes the vectors of plan p and enables
// the queues with them. The control queue is polled: it has none.
func (d *Device) setupInterrupts(c Config, p plan) error {
	pairs := len(d.rx)
	vec := func(queue int) uint16 {
		if p == line {
			return virtio.NoVector
		}
		return uint16(p.vectorOf(queue))
	}
	if p == line {
		d.irqs = []hw.Interrupt{c.Line}
	} else {
		if p.vectors(pairs) > c.MSIX.Vectors() {
			return fmt.Errorf("%w: %d pairs need %d", errTryFewerVectors, pairs, p.vectors(pairs))
		}
		for i := range p.vectors(pairs) {
			msi, err := c.Interrupts.AllocMSI()
			if err != nil {
				return fmt.Errorf("%w: %v", errTryFewerVectors, err)
			}
			d.irqs = append(d.irqs, msi.Interrupt)
			if err := c.MSIX.Route(i, msi.Addr, msi.Data); err != nil {
				return err
			}
		}
	}
	if err := d.t.SetConfigVector(vec(-1)); err != nil {
		return fmt.Errorf("%w: %v", errTryFewerVectors, err)
	}
	type queue struct {
		index int
		ring  *virtio.SplitQueue
		vec   uint16
	}
	var qs []queue
	for i := range pairs {
		qs = append(qs, queue{rxQueueIndex(i), d.rx[i].q, vec(rxQueueIndex(i))}, queue{txQueueIndex(i), d.tx[i].q, vec(txQueueIndex(i))})
	}
	if d.ctrl != nil {
		qs = append(qs, queue{d.ctrlIndex(), d.ctrl.q, virtio.NoVector})
	}
	for _, q := range qs {
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

// worker is one interrupt source and what it stands for: the pairs whose
// receive and transmit queues it serves.
type worker struct {
	irq    hw.Interrupt
	config bool
	rx     []*rxQueue
	tx     []*txQueue
	line   bool // one line for all causes: read the interrupt status
}

func (d *Device) startWorkers(p plan) {
	pairs := len(d.rx)
	for v, irq := range d.irqs {
		w := worker{irq: irq, config: p.vectorOf(-1) == v, line: p == line}
		for i := range pairs {
			if p.vectorOf(rxQueueIndex(i)) == v {
				w.rx = append(w.rx, &d.rx[i])
			}
			if p.vectorOf(txQueueIndex(i)) == v {
				w.tx = append(w.tx, &d.tx[i])
			}
		}
		d.wg.Add(1)
		go d.serve(w)
	}
}

// serve is an interrupt goroutine (§4.1.5.4, §4.2.3.4: with a line
// interrupt, read the interrupt status to learn the cause and acknowledge
// it; with MSI-X, the vector says).
func (d *Device) serve(w worker) {
	defer d.wg.Done()
	polls := make([]func(), len(w.rx))
	for i, r := range w.rx {
		polls[i] = r.poll
		if len(w.tx) > 0 || len(w.rx) > 1 {
			// Receive may wait for transmit room, which the transmit
			// interrupt ends. Served here, that interrupt would wait
			// for Receive to return: each receive queue gets a
			// goroutine of its own, which also keeps one queue's
			// Receive from holding up another's.
			wake := make(chan struct{}, 1)
			defer close(wake)
			d.wg.Add(1)
			go d.receiver(r, wake)
			polls[i] = func() {
				select {
				case wake <- struct{}{}:
				default: // a poll is pending; it will see these frames too
				}
			}
		}
	}
	// The configuration may have changed, and frames may have arrived,
	// between Open reading it and this goroutine starting.
	if w.config {
		d.configChanged()
	}
	for _, poll := range polls {
		poll()
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
		if cause&virtio.ISRQueue == 0 {
			continue
		}
		for _, t := range w.tx {
			t.interrupt()
		}
		for _, poll := range polls {
			poll()
		}
	}
}

// receiver polls a receive ring each time serve passes it a receive
// interrupt, until serve closes wake.
func (d *Device) receiver(r *rxQueue, wake <-chan struct{}) {
	defer d.wg.Done()
	for range wake {
		r.poll()
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
