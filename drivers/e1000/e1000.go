package e1000

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"warren.dev/drivers/e1000/internal/reg"
	"warren.dev/drivers/ether"
	"warren.dev/drivers/hw"
)

// Device is an open controller. Its methods may be called from any
// goroutine.
type Device struct {
	regs hw.Regs
	dma  hw.DMA
	irq  hw.Interrupt
	chip chip
	opts Options
	mac  [6]byte
	feat ether.Features

	rx rxRing
	tx txRing

	receiver   atomic.Pointer[func(ether.Frame)]
	linkChange func(bool)
	linkSeen   bool // last link state reported; interrupt goroutine only

	stats   counters
	hwMu    sync.Mutex
	hwTotal HWStats
	hwState hwState
	mcMu    sync.Mutex

	served    bool          // the interrupt goroutine was started
	done      chan struct{} // closed when it returns
	closeOnce sync.Once
	closeErr  error
}

// Timing. The reset and EEPROM limits are generous bounds on waits the
// manual puts in microseconds; none is waited out unless the device
// misbehaves, except resetSettle.
var (
	// resetSettle: after CTRL.RST the 82540 reloads its configuration
	// from the EEPROM and offers no bit saying when it is done
	// (EECD.AUTO_RD arrived with the 82541); Linux waits 5 ms too.
	resetSettle   = 5 * time.Millisecond
	resetTimeout  = 100 * time.Millisecond
	eepromTimeout = 20 * time.Millisecond
	linkPoll      = 10 * time.Millisecond
)

// Open resets the controller behind regs and brings it up: receive and
// transmit rings in memory from dma, interrupts on irq, the link up.
// Open owns irq from then on, and closes it on failure and in Close.
//
// It polls STATUS.LU for up to opts.LinkTimeout (auto-negotiation takes
// seconds on hardware; QEMU's link is up at once unless its
// auto-negotiation restarts, which takes it about 2 s) and fails with
// ErrNoLink if the link stays down.
func Open(regs hw.Regs, dma hw.DMA, irq hw.Interrupt, opts Options) (*Device, error) {
	if err := opts.fill(); err != nil {
		irq.Close()
		return nil, err
	}
	c, ok := lookupChip(opts.DeviceID)
	if !ok {
		irq.Close()
		return nil, fmt.Errorf("%w: device ID %#04x", ErrUnsupported, opts.DeviceID)
	}
	d := &Device{
		regs:       regs,
		dma:        dma,
		irq:        irq,
		chip:       c,
		opts:       opts,
		linkChange: opts.LinkChange,
		done:       make(chan struct{}),
	}
	d.tx.space = make(chan struct{}, 1)
	if opts.Receive != nil {
		d.SetReceiver(opts.Receive)
	}
	if err := d.start(); err != nil {
		d.Close()
		return nil, err
	}
	if err := d.waitLink(); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

// start is the initialization sequence of §14.3-§14.5: reset, link,
// address filters, rings, interrupts.
func (d *Device) start() error {
	if err := d.reset(); err != nil {
		return err
	}
	d.setupLink()
	mac, err := d.readMAC()
	if err != nil {
		return err
	}
	d.mac = mac
	d.setupFilters()
	if err := d.rx.alloc(d.dma, d.opts.RxDescriptors); err != nil {
		return err
	}
	if err := d.tx.alloc(d.dma, d.opts.TxDescriptors); err != nil {
		return err
	}
	d.feat = ether.FeatureTXCsum | ether.FeatureRXCsum
	if d.chip.tso && d.opts.TxDescriptors >= minTSODescriptors {
		d.feat |= ether.FeatureTSO4
	}
	d.setupTx()
	d.setupInterrupts()
	d.setupRx() // last: it enables the receiver

	d.regs.Read32(reg.ICR) // drop causes raised during setup
	d.linkSeen = d.LinkUp()
	d.served = true
	go d.serve()
	d.regs.Write32(reg.IMS, imsEnabled)
	return nil
}

// reset stops the device and resets it (CTRL.RST, §13.4.1). Interrupts stay masked.
func (d *Device) reset() error {
	r := d.regs
	r.Write32(reg.IMC, ^uint32(0))
	// Stop any DMA first. Real hardware clears RCTL and TCTL on reset,
	// but QEMU's 82540EM model ignores CTRL.RST entirely, so rings a
	// previous owner (firmware, an earlier Open) left running would keep
	// running. RCTL is written only if needed: QEMU holds back received
	// frames for a second after every RCTL write.
	if r.Read32(reg.RCTL)&reg.RCTL_EN != 0 {
		r.Write32(reg.RCTL, 0)
	}
	if r.Read32(reg.TCTL)&reg.TCTL_EN != 0 {
		r.Write32(reg.TCTL, reg.TCTL_PSP)
	}
	r.Read32(reg.STATUS) // flush posted writes

	start := time.Now()
	r.Write32(reg.CTRL, r.Read32(reg.CTRL)|reg.CTRL_RST)
	time.Sleep(resetSettle)
	for r.Read32(reg.CTRL)&reg.CTRL_RST != 0 {
		if time.Since(start) > resetTimeout {
			return errors.New("e1000: CTRL.RST did not clear")
		}
		time.Sleep(time.Millisecond)
	}
	r.Write32(reg.IMC, ^uint32(0)) // reset unmasks nothing, but be sure
	r.Read32(reg.ICR)
	return nil
}

// setupLink asks for the link with auto-negotiated speed and duplex
// (§14.3, "MAC/PHY link setup, copper"): CTRL.SLU and ASDE set, forced
// speed and duplex, loss-of-signal inversion and resets clear. Flow
// control stays off, so its address and type registers are zeroed.
func (d *Device) setupLink() {
	r := d.regs
	ctrl := r.Read32(reg.CTRL)
	ctrl |= reg.CTRL_SLU | reg.CTRL_ASDE
	ctrl &^= reg.CTRL_LRST | reg.CTRL_PHY_RST | reg.CTRL_ILOS |
		reg.CTRL_FRCSPD | reg.CTRL_FRCDPLX | reg.CTRL_VME |
		reg.CTRL_RFCE | reg.CTRL_TFCE | reg.CTRL_RST
	r.Write32(reg.CTRL, ctrl)
	r.Write32(reg.FCAL, 0)
	r.Write32(reg.FCAH, 0)
	r.Write32(reg.FCT, 0)
	r.Write32(reg.FCTTV, 0)
}

// waitLink polls STATUS.LU until opts.LinkTimeout.
func (d *Device) waitLink() error {
	if d.opts.LinkTimeout < 0 {
		return nil
	}
	deadline := time.Now().Add(d.opts.LinkTimeout)
	for !d.LinkUp() {
		if time.Now().After(deadline) {
			return fmt.Errorf("%w: STATUS.LU still clear after %v", ErrNoLink, d.opts.LinkTimeout)
		}
		time.Sleep(min(linkPoll, d.opts.LinkTimeout))
	}
	return nil
}

// MAC is the station address.
func (d *Device) MAC() [6]byte { return d.mac }

// MTU is the largest IP packet in a frame: 1500.
func (d *Device) MTU() int { return MTU }

// Features lists the offloads the device performs.
func (d *Device) Features() ether.Features { return d.feat }

// Name is the controller's name, e.g. "82540EM".
func (d *Device) Name() string { return d.chip.name }

// LinkUp reports STATUS.LU.
func (d *Device) LinkUp() bool { return d.regs.Read32(reg.STATUS)&reg.STATUS_LU != 0 }

// SetReceiver installs the function called for each good received frame,
// on the interrupt goroutine, one frame at a time. The frame's Data is
// only valid during the call. nil drops received frames (counted in
// Stats.RxDropped). The receiver must not call Close.
func (d *Device) SetReceiver(fn func(ether.Frame)) {
	if fn == nil {
		d.receiver.Store(nil)
		return
	}
	d.receiver.Store(&fn)
}

// Close stops the device: it masks interrupts, clears RCTL.EN and
// TCTL.EN, waits for the interrupt goroutine to finish (so the receiver
// is not running and will not be called again), resets the controller
// and frees its DMA memory. Frames still in the transmit ring may be
// lost. Close must not be called from the receiver.
func (d *Device) Close() error {
	d.closeOnce.Do(func() {
		d.tx.mu.Lock()
		d.tx.closed = true
		d.tx.mu.Unlock()

		r := d.regs
		r.Write32(reg.IMC, ^uint32(0))
		if v := r.Read32(reg.RCTL); v&reg.RCTL_EN != 0 {
			r.Write32(reg.RCTL, v&^reg.RCTL_EN)
		}
		if v := r.Read32(reg.TCTL); v&reg.TCTL_EN != 0 {
			r.Write32(reg.TCTL, v&^reg.TCTL_EN)
		}
		r.Read32(reg.STATUS)
		d.irq.Close()
		if d.served {
			<-d.done
		}
		d.closeErr = d.reset()
		if d.closeErr == nil {
			// A device that did not reset may still write to its
			// buffers: those are leaked rather than freed.
			d.rx.free(d.dma)
			d.tx.free(d.dma)
		}
	})
	return d.closeErr
}
