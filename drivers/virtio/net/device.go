package net

import (
	"crypto/rand"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"warren.dev/drivers/ether"
	"warren.dev/drivers/hw"
	"warren.dev/drivers/virtio"
)

// Queue indexes (§5.1.2): receiveqN is 2(N-1), transmitqN 2(N-1)+1, and
// the control queue follows the last pair the device offers.
func rxQueueIndex(pair int) int { return 2 * pair }
func txQueueIndex(pair int) int { return 2*pair + 1 }

// Device configuration layout (struct virtio_net_config, §5.1.4).
const (
	cfgMAC      = 0
	cfgStatus   = 6
	cfgMaxPairs = 8
	cfgMTU      = 10

	statusLinkUp = 1

	ethHeaderLen  = 14
	defaultMTU    = 1500
	minMTU        = 68
	maxGSOFrame   = 14 + 40 + 65535 // §5.1.6.3: the largest coalesced frame
	defaultBuffer = 2048
	defaultQueue  = 256
	rxBatch       = 64
)

// Errors the device reports.
var (
	ErrClosed = errors.New("virtio-net: device closed")
	// ErrQueueFull: the transmit ring has no room for the next frame;
	// Transmit sent the frames before it. Retry later or WaitTXSpace.
	ErrQueueFull = virtio.ErrQueueFull
)

// Config is what Open needs.
type Config struct {
	// Transport is the device's transport (virtio-pci or virtio-mmio).
	Transport *virtio.Transport
	// DMA allocates the rings and packet buffers.
	DMA hw.DMA
	// MSIX, if the device has MSI-X and the PCI layer enabled it, with
	// Interrupts to allocate the vectors. Otherwise Line is the device's
	// interrupt line (PCI INTx, or a virtio-mmio device's). The device owns the interrupts it uses and closes them
	// on Close.
	MSIX       virtio.MSIX
	Interrupts hw.Interrupts
	Line       hw.Interrupt

	// QueueSize caps both queues (default 256, or the device maximum if
	// smaller).
	QueueSize int
	// BufferSize is the size of each receive buffer and transmit chunk
	// (default 2048). Larger frames span several (mergeable receive
	// buffers, chained transmit descriptors).
	BufferSize int
	// Disable lists features not to negotiate.
	Disable virtio.Features
	// Pairs is the most receive/transmit queue pairs to use, typically
	// the number of CPUs. Above 1, and if the device offers
	// VIRTIO_NET_F_MQ, the driver uses min(Pairs, max_virtqueue_pairs)
	// pairs (mq.go); otherwise one.
	Pairs int

	// Receive is called on a receive queue's goroutine with each
	// batch of received frames, all but the last marked More. The frames' Data points into receive
	// buffers that are given back to the device when it returns.
	// Required. With several pairs it is called concurrently, one
	// goroutine per receive queue. It may call Transmit and WaitTXSpace
	// (a network stack answers some frames at once, and waits for room
	// to), but not Close.
	Receive func(frames []ether.Frame)
	// LinkChange, if set, is called on an interrupt goroutine when the
	// link status changes. It may call Transmit, but not WaitTXSpace
	// (with one vector, or INTx, the transmit interrupt that ends the
	// wait is served on the same goroutine) or Close.
	LinkChange func(up bool)

	// testRearm runs just before the receive loop re-enables
	// interrupts: tests make the device use a buffer there, the race
	// the re-check closes.
	testRearm func()
	// testStall replaces stallTimeout.
	testStall time.Duration
}

// Device is an open virtio-net device.
type Device struct {
	t        *virtio.Transport
	dma      hw.DMA
	features virtio.Features
	mac      [6]byte
	mtu      int
	receive  func([]ether.Frame)
	onLink   func(bool)

	testRearm func()

	// rx[i] and tx[i] are pair i; ctrl is set with VIRTIO_NET_F_CTRL_VQ.
	rx   []rxQueue
	tx   []txQueue
	ctrl *ctrlQueue
	// maxPairs is the device's max_virtqueue_pairs (1 without MQ).
	maxPairs int

	irqs []hw.Interrupt
	wg   sync.WaitGroup

	link   atomic.Bool
	closed atomic.Bool
	errMu  sync.Mutex
	err    error // first fatal error
}

// Open initializes the device (§3.1.1, §5.1.5): negotiates features,
// reads the configuration, sets up the queues and interrupts, sets
// DRIVER_OK, fills the receive ring and starts the interrupt goroutines.
// On failure the device is reset and marked FAILED.
func Open(c Config) (*Device, error) {
	if c.Transport == nil || c.DMA == nil || c.Receive == nil {
		return nil, errors.New("virtio-net: Config needs Transport, DMA and Receive")
	}
	if c.MSIX == nil && c.Line == nil {
		return nil, errors.New("virtio-net: Config needs MSIX (with Interrupts) or Line")
	}
	if c.MSIX != nil && c.Interrupts == nil {
		return nil, errors.New("virtio-net: MSIX needs Interrupts")
	}
	if c.BufferSize == 0 {
		c.BufferSize = defaultBuffer
	}
	if c.BufferSize < 64 || c.BufferSize > 65536 {
		return nil, fmt.Errorf("virtio-net: buffer size %d", c.BufferSize)
	}
	if c.QueueSize == 0 {
		c.QueueSize = defaultQueue
	}
	var errs []error
	for ps := plansFor(c); len(ps) > 0; {
		d, err := open(c, ps[0])
		if err == nil {
			return d, nil
		}
		errs = append(errs, err)
		if errors.Is(err, errPairsRefused) && c.Pairs > 1 {
			c.Pairs = 1 // mq.go: the device keeps one pair
		} else if errors.Is(err, errTryFewerVectors) {
			ps = ps[1:]
		} else {
			break
		}
	}
	c.Transport.Reset()
	c.Transport.Fail()
	return nil, errors.Join(errs...)
}

func open(c Config, p plan) (_ *Device, err error) {
	d := &Device{t: c.Transport, dma: c.DMA, receive: c.Receive, onLink: c.LinkChange, testRearm: c.testRearm}
	defer func() {
		if err != nil {
			d.teardown()
		}
	}()
	if d.features, err = d.t.Negotiate(func(f virtio.Features) virtio.Features {
		return acceptFeatures(f, c.Disable, c.Pairs > 1)
	}); err != nil {
		return nil, err
	}
	if err := d.readConfig(); err != nil {
		return nil, err
	}
	if err := d.setupQueues(c, d.pairsFor(c)); err != nil {
		return nil, err
	}
	if err := d.setupInterrupts(c, p); err != nil {
		return nil, err
	}
	if err := d.t.DriverOK(); err != nil {
		return nil, err
	}
	// Control commands and receive buffers come after DRIVER_OK, since
	// making buffers available includes a notification, which the driver
	// MUST NOT send before DRIVER_OK (§3.1.1).
	if err := d.setPairs(); err != nil {
		return nil, err
	}
	for i := range d.rx {
		d.rx[i].fill()
	}
	d.startWorkers(p)
	return d, nil
}

// readConfig reads MAC, link status and MTU as one snapshot.
func (d *Device) readConfig() error {
	var mac [6]byte
	var status, mtu, pairs uint16
	if err := d.t.ReadDeviceConfig(func(c virtio.DeviceConfig) {
		for i := range mac {
			mac[i] = c.Read8(cfgMAC + i)
		}
		status = c.Read16(cfgStatus)
		mtu = c.Read16(cfgMTU)
		pairs = c.Read16(cfgMaxPairs)
	}); err != nil {
		return err
	}
	d.maxPairs = 1
	if d.features.Has(FMQ) {
		// §5.1.4.1: 1 to 0x8000.
		if pairs < 1 || pairs > 0x8000 {
			return fmt.Errorf("virtio-net: max_virtqueue_pairs %d", pairs)
		}
		d.maxPairs = int(pairs)
	}
	if d.features.Has(FMAC) {
		d.mac = mac
	} else {
		// §5.1.4.2: without a device MAC, use a locally administered one.
		rand.Read(d.mac[:])
		d.mac[0] = d.mac[0]&^1 | 2
	}
	d.link.Store(!d.features.Has(FStatus) || status&statusLinkUp != 0)
	d.mtu = defaultMTU
	if d.features.Has(FMTU) {
		if mtu < minMTU {
			return fmt.Errorf("virtio-net: device MTU %d", mtu)
		}
		d.mtu = int(mtu)
	}
	return nil
}

func (d *Device) setupQueues(c Config, pairs int) error {
	for i := range pairs {
		if d.t.QueueMaxSize(rxQueueIndex(i)) == 0 || d.t.QueueMaxSize(txQueueIndex(i)) == 0 {
			return fmt.Errorf("virtio-net: device lacks receiveq%d or transmitq%d", i+1, i+1)
		}
	}
	mrg := d.features.Has(FMrgRxbuf)
	eventIdx := d.features.Has(virtio.FEventIdx)
	rxBuf := c.BufferSize
	maxRX, maxGSO := d.mtu+ethHeaderLen, 0
	if d.features&guestTSO != 0 {
		maxGSO = maxGSOFrame // only with mrg: see acceptFeatures
	}
	if !mrg && rxBuf < hdrLen+maxRX {
		// Without mergeable buffers each frame must fit one buffer
		// (§5.1.6.3.1).
		rxBuf = (hdrLen + maxRX + 63) &^ 63
	}
	maxTX := d.mtu + ethHeaderLen
	if d.features&hostTSO != 0 {
		maxTX = maxGSOFrame
	}
	stall := stallTimeout
	if c.testStall > 0 {
		stall = c.testStall
	}
	d.rx = make([]rxQueue, pairs)
	d.tx = make([]txQueue, pairs)
	for i := range pairs {
		if err := d.rx[i].init(d, c.DMA, queueSize(d.t, rxQueueIndex(i), c.QueueSize), rxBuf, maxRX, maxGSO, mrg, eventIdx); err != nil {
			return err
		}
		if err := d.tx[i].init(d, c.DMA, queueSize(d.t, txQueueIndex(i), c.QueueSize), c.BufferSize, maxTX, eventIdx, stall); err != nil {
			return err
		}
	}
	if d.features.Has(FCtrlVQ) {
		ctrl, err := newCtrlQueue(c.DMA, queueSize(d.t, d.ctrlIndex(), c.QueueSize), eventIdx)
		if err != nil {
			return err
		}
		d.ctrl = ctrl
	}
	return nil
}

// queueSize is the largest power of two within both limits.
func queueSize(t *virtio.Transport, i, limit int) int {
	max := t.QueueMaxSize(i)
	if limit < max {
		max = limit
	}
	n := 1
	for n*2 <= max {
		n *= 2
	}
	if max < 2 {
		return max // NewSplitQueue reports it
	}
	return n
}

// teardown releases what open set up; the device is reset first so that
// it no longer touches the memory.
func (d *Device) teardown() {
	resetErr := d.t.Reset()
	for _, irq := range d.irqs {
		irq.Close()
	}
	d.wg.Wait()
	d.irqs = nil
	if resetErr != nil {
		return // the device may still use the memory: leak it
	}
	d.free()
}

func (d *Device) free() {
	for i := range d.rx {
		d.rx[i].free()
	}
	for i := range d.tx {
		d.tx[i].free()
	}
	if d.ctrl != nil {
		d.ctrl.free()
	}
}

// Close stops the device: no more Receive calls, Transmit fails with
// ErrClosed. It resets the device and frees its memory. It must not be
// called from the Receive or LinkChange callbacks.
func (d *Device) Close() error {
	if d.closed.Swap(true) {
		return ErrClosed
	}
	for i := range d.tx {
		t := &d.tx[i]
		t.mu.Lock()
		t.cond.Broadcast()
		t.watch.timer.Stop()
		t.mu.Unlock()
	}
	// Stop the goroutines before resetting, so that none of them rings a
	// doorbell on the reset device.
	for _, irq := range d.irqs {
		irq.Close()
	}
	d.wg.Wait()
	err := d.t.Reset()
	if err == nil {
		d.free()
	}
	d.irqs = nil
	return err
}

// fail records a fatal device error: Transmit and WaitTXSpace return it.
func (d *Device) fail(err error) {
	d.errMu.Lock()
	if d.err == nil {
		d.err = err
	}
	d.errMu.Unlock()
	for i := range d.tx {
		t := &d.tx[i]
		t.mu.Lock()
		t.cond.Broadcast()
		t.mu.Unlock()
	}
}

// Err returns the fatal error the device hit, if any: DEVICE_NEEDS_RESET
// or a corrupted ring. Close and Open again to recover.
func (d *Device) Err() error {
	d.errMu.Lock()
	defer d.errMu.Unlock()
	return d.err
}

// MAC is the device's MAC address (or a random local one, §5.1.4.2).
func (d *Device) MAC() [6]byte { return d.mac }

// MTU is the largest payload of a frame without GSO: the device's MTU
// with VIRTIO_NET_F_MTU, else 1500.
func (d *Device) MTU() int { return d.mtu }

// LinkUp reports the link status (always up without VIRTIO_NET_F_STATUS).
func (d *Device) LinkUp() bool { return d.link.Load() }

// Features returns the negotiated feature bits.
func (d *Device) Features() virtio.Features { return d.features }

// Offloads returns the negotiated offloads.
func (d *Device) Offloads() Offloads { return offloadsOf(d.features) }

// Pairs is the number of receive/transmit queue pairs in use.
func (d *Device) Pairs() int { return len(d.rx) }
