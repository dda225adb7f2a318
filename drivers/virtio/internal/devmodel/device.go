// Package devmodel is a register-level model of virtio 1.x devices for
// host tests, behind either transport: for virtio-pci, PCI capabilities
// in a config space, common configuration, ISR, device configuration and
// notify registers in one memory BAR and an MSI-X table; for virtio-mmio,
// the version 2 register block with an edge-triggered line (mmio.go).
// Both share the device state and split virtqueues read and written in
// hwtest.DMA memory by physical address. It follows the device side of
// the spec, including EVENT_IDX notification suppression, and records
// driver mistakes it sees in Violations.
package devmodel

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync"

	"warren.dev/drivers/hw"
	"warren.dev/drivers/hw/hwtest"
)

// Layout of the model's BAR (BAR 4, like QEMU's modern virtio-pci).
const (
	BAR          = 4
	barSize      = 0x4000
	commonOff    = 0x0000
	commonLen    = 0x38
	isrOff       = 0x1000
	deviceOff    = 0x2000
	notifyOff    = 0x3000
	NotifyMult   = 4
	noVector     = 0xffff
	msiAddr      = 0xfee00000
	featVersion1 = 1 << 32
	featEventIdx = 1 << 29

	statusDriverOK    = 4
	statusFeaturesOK  = 8
	statusNeedsReset  = 64
	statusFailed      = 128
	isrQueue, isrConf = 1, 2
)

// Personality is the device type behind the common model.
type Personality interface {
	// DeviceID is the virtio device ID (§5), which virtio-mmio reports.
	DeviceID() uint32
	// Queues returns the maximum size of each virtqueue.
	Queues() []uint16
	// CheckFeatures vets the driver's features at FEATURES_OK.
	CheckFeatures(f uint64) error
	// Process runs with the device lock held after a notification or
	// an injected event, once DRIVER_OK is set.
	Process(d *Device)
	// Reset clears device-type state.
	Reset()
}

// Options configure a Device.
type Options struct {
	Features    uint64 // offered
	Config      []byte // device-specific configuration, copied
	MSIXVectors int    // MSI-X table size; 0 means no MSI-X capability
	// RefuseFeaturesOK makes the device clear FEATURES_OK whatever the
	// driver accepts.
	RefuseFeaturesOK bool
	// VectorLimit, if positive, makes the device read back NO_VECTOR
	// for vectors from VectorLimit up, as a device short of interrupt
	// resources would (§4.1.5.1.2).
	VectorLimit int
	// MMIO puts the device behind the virtio-mmio register block
	// (MMIORegs): Line is then edge-triggered, firing when
	// InterruptStatus leaves 0, as QEMU's virtio-mmio raises its line.
	MMIO bool
	// MMIOVersion is the register layout version MMIO reports (default
	// 2; 1 is the legacy layout).
	MMIOVersion uint32
}

// Device is the model. Its exported fields and methods are for tests.
type Device struct {
	DMA        *hwtest.DMA
	Interrupts *hwtest.Interrupts
	// Line is the INTx interrupt, raised when MSI-X is not enabled, or
	// the virtio-mmio interrupt line.
	Line *hwtest.Interrupt

	mu   sync.Mutex
	opts Options
	pers Personality

	devFeatSel, drvFeatSel uint32
	driverFeatures         uint64
	status                 uint8
	generation             uint8
	configVector           uint16
	queueSel               uint16
	queues                 []*vq
	isr                    uint8
	config                 []byte

	msix        []msixEntry
	msixEnabled bool

	violations []string
	paused     bool
	wake       chan struct{}
	done       chan struct{}
	stopped    sync.WaitGroup
	// Resets counts writes of 0 to device_status.
	resets int
	// Notifies counts doorbell writes per queue.
	notifies []int
	// Interrupts raised per vector (MSI-X) or for INTx (index 0).
	raised map[int]int
}

type msixEntry struct {
	addr   uint64
	data   uint32
	routed bool
}

// New returns a device model with its processing goroutine running; call
// Close when done.
func New(dma *hwtest.DMA, ints *hwtest.Interrupts, pers Personality, o Options) *Device {
	d := &Device{
		DMA:        dma,
		Interrupts: ints,
		Line:       hwtest.NewInterrupt(),
		opts:       o,
		pers:       pers,
		config:     append([]byte(nil), o.Config...),
		msix:       make([]msixEntry, o.MSIXVectors),
		wake:       make(chan struct{}, 1),
		done:       make(chan struct{}),
		raised:     map[int]int{},
	}
	for i, max := range pers.Queues() {
		d.queues = append(d.queues, &vq{index: i, maxSize: max})
	}
	d.notifies = make([]int, len(d.queues))
	d.resetLocked()
	d.stopped.Add(1)
	go d.run()
	return d
}

// Close stops the processing goroutine.
func (d *Device) Close() {
	close(d.done)
	d.stopped.Wait()
}

func (d *Device) run() {
	defer d.stopped.Done()
	for {
		select {
		case <-d.done:
			return
		case <-d.wake:
		}
		d.mu.Lock()
		if !d.paused && d.status&statusDriverOK != 0 && d.status&(statusNeedsReset|statusFailed) == 0 {
			d.pers.Process(d)
			for _, q := range d.queues {
				// §2.7.7.1: with EVENT_IDX the driver MUST leave flags 0.
				if q.enabled && d.Negotiated(featEventIdx) && q.availFlags() != 0 {
					d.Violationf("queue %d: available ring flags %#x with VIRTIO_F_EVENT_IDX", q.index, q.availFlags())
				}
			}
		}
		d.mu.Unlock()
	}
}

// Pause stops the device from processing its queues (notifications are
// still counted) until Resume.
func (d *Device) Pause() { d.mu.Lock(); d.paused = true; d.mu.Unlock() }

// Resume undoes Pause and processes what arrived meanwhile.
func (d *Device) Resume() {
	d.mu.Lock()
	d.paused = false
	d.mu.Unlock()
	d.Kick()
}

// Kick wakes the processing goroutine (after an injected event).
func (d *Device) Kick() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Violationf records a driver mistake; the lock is held.
func (d *Device) Violationf(format string, args ...any) {
	d.violations = append(d.violations, fmt.Sprintf(format, args...))
}

// Violations returns the driver mistakes the model saw.
func (d *Device) Violations() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.violations...)
}

// Status returns device_status.
func (d *Device) Status() uint8 { d.mu.Lock(); defer d.mu.Unlock(); return d.status }

// DriverFeatures returns the features the driver wrote.
func (d *Device) DriverFeatures() uint64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.driverFeatures
}

// Negotiated reports whether the driver accepted all of f; lock held.
func (d *Device) Negotiated(f uint64) bool { return d.driverFeatures&f == f }

// Resets is the number of device resets.
func (d *Device) Resets() int { d.mu.Lock(); defer d.mu.Unlock(); return d.resets }

// Notifies is the number of doorbell writes for queue q.
func (d *Device) Notifies(q int) int { d.mu.Lock(); defer d.mu.Unlock(); return d.notifies[q] }

// Raised is the number of interrupts sent on MSI-X vector v (the line,
// INTx or MMIO: -1).
func (d *Device) Raised(v int) int { d.mu.Lock(); defer d.mu.Unlock(); return d.raised[v] }

// EnableMSIX turns the MSI-X capability on, as the PCI layer would.
func (d *Device) EnableMSIX() { d.mu.Lock(); d.msixEnabled = true; d.mu.Unlock() }

// MSIX is the MSI-X table, for the driver (virtio.MSIX).
func (d *Device) MSIX() MSIXTable { return MSIXTable{d} }

// MSIXTable implements virtio.MSIX over the model's table.
type MSIXTable struct{ d *Device }

// Vectors implements virtio.MSIX.
func (t MSIXTable) Vectors() int { return len(t.d.msix) }

// Route implements virtio.MSIX.
func (t MSIXTable) Route(i int, addr uint64, data uint32) error {
	t.d.mu.Lock()
	defer t.d.mu.Unlock()
	if i < 0 || i >= len(t.d.msix) {
		return fmt.Errorf("devmodel: MSI-X entry %d of %d", i, len(t.d.msix))
	}
	t.d.msix[i] = msixEntry{addr: addr, data: data, routed: true}
	return nil
}

// Queue returns the device side of queue i; lock held.
func (d *Device) queue(i int) *vq { return d.queues[i] }

// Config returns the device configuration bytes for a personality to
// change; lock held. Changes should be followed by ConfigChanged.
func (d *Device) Config() []byte { return d.config }

// ConfigChanged bumps the configuration generation and sends a
// configuration change notification; lock held.
func (d *Device) ConfigChanged() {
	d.generation++
	d.signalConfig()
}

// CorruptUsed makes queue i publish a used element with an invalid
// descriptor id and interrupt, as a broken device would.
func (d *Device) CorruptUsed(i int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	q := d.queues[i]
	q.corrupt(d.Negotiated(featEventIdx))
	d.signalQueue(q)
}

// SetNeedsReset puts the device in the error state: it sets
// DEVICE_NEEDS_RESET and sends a configuration change notification
// (§2.1.2).
func (d *Device) SetNeedsReset() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.status |= statusNeedsReset
	if d.status&statusDriverOK != 0 {
		d.signalConfig()
	}
}

func (d *Device) signalConfig() {
	if d.status&statusDriverOK == 0 {
		return
	}
	d.signal(d.configVector, isrConf)
}

// signalQueue raises queue q's used buffer notification; lock held.
func (d *Device) signalQueue(q *vq) { d.signal(q.vector, isrQueue) }

func (d *Device) signal(vector uint16, isrBit uint8) {
	if d.msixEnabled {
		if vector == noVector {
			return // §4.1.5.3: no interrupt for an unmapped event
		}
		e := d.msix[vector]
		if !e.routed {
			d.Violationf("interrupt on MSI-X entry %d the driver never routed", vector)
			return
		}
		if err := d.Interrupts.Deliver(e.addr, e.data); err != nil {
			d.Violationf("%v", err)
			return
		}
		d.raised[int(vector)]++
		return
	}
	// An MMIO line is high while InterruptStatus is not 0: a cause
	// added to a pending one makes no new edge.
	edge := !d.opts.MMIO || d.isr == 0
	d.isr |= isrBit
	if edge {
		d.raised[-1]++
		d.Line.Fire()
	}
}

func (d *Device) resetLocked() {
	d.devFeatSel, d.drvFeatSel, d.driverFeatures = 0, 0, 0
	d.status = 0
	d.configVector = noVector
	d.queueSel = 0
	d.isr = 0
	for i, q := range d.queues {
		q.reset(d.pers.Queues()[i])
	}
	d.pers.Reset()
}

// ConfigSpace returns the PCI configuration space with the virtio
// capability list, and the offsets of the capabilities in list order.
func (d *Device) ConfigSpace() (ConfigSpace, []int) {
	cs := ConfigSpace{b: make([]byte, 256)}
	var offs []int
	off := 0x40
	add := func(cfgType, bar uint8, offset, length uint32, extra ...uint32) {
		n := 16 + 4*len(extra)
		b := cs.b[off:]
		b[0], b[1], b[2], b[3] = 0x09, 0, byte(n), cfgType
		b[4] = bar
		binary.LittleEndian.PutUint32(b[8:], offset)
		binary.LittleEndian.PutUint32(b[12:], length)
		for i, e := range extra {
			binary.LittleEndian.PutUint32(b[16+4*i:], e)
		}
		if len(offs) > 0 {
			cs.b[offs[len(offs)-1]+1] = byte(off)
		}
		offs = append(offs, off)
		off += (n + 3) &^ 3
	}
	// A capability with a reserved BAR first: drivers must skip it.
	add(1, 7, 0, commonLen)
	add(1, BAR, commonOff, 0x1000)
	add(2, BAR, notifyOff, uint32(NotifyMult*len(d.queues)), NotifyMult)
	add(3, BAR, isrOff, 0x1000)
	add(4, BAR, deviceOff, uint32(len(d.config)))
	add(5, 0, 0, 0, 0) // PCI configuration access: not used by drivers here
	return cs, offs
}

// ConfigSpace is a PCI configuration space image (virtio.ConfigReader).
type ConfigSpace struct{ b []byte }

// ReadConfig32 implements virtio.ConfigReader.
func (c ConfigSpace) ReadConfig32(off int) uint32 {
	return binary.LittleEndian.Uint32(c.b[off:])
}

// MapBAR maps the model's BAR (a virtio.BARMapper).
func (d *Device) MapBAR(bar int) (hw.Regs, uint64, error) {
	if bar != BAR {
		return nil, 0, errors.New("devmodel: no such BAR")
	}
	return &hwtest.Regs{Read: d.read, Write: d.write}, barSize, nil
}

var errRefused = errors.New("devmodel: features refused")

// QueueState is the device's side of a queue's indexes.
type QueueState struct {
	AvailIdx   uint16 // the driver's available idx
	Consumed   uint16 // available entries the device has taken
	UsedIdx    uint16 // the used idx the device last published
	AvailEvent uint16 // where the device asked to be notified (EVENT_IDX)
}

// QueueState returns queue i's indexes.
func (d *Device) QueueState(i int) QueueState {
	d.mu.Lock()
	defer d.mu.Unlock()
	q := d.queues[i]
	return QueueState{AvailIdx: q.availIdx(), Consumed: q.lastAvail, UsedIdx: q.published, AvailEvent: q.availEvent()}
}

// DebugString describes the queues' device-side state.
func (d *Device) DebugString() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	s := fmt.Sprintf("status %#x isr %#x", d.status, d.isr)
	for _, q := range d.queues {
		if !q.enabled {
			continue
		}
		s += fmt.Sprintf("; q%d: lastAvail %d availIdx %d usedIdx %d published %d usedEvent %d availFlags %d vector %d",
			q.index, q.lastAvail, q.availIdx(), q.usedIdx, q.published, q.usedEvent(), q.availFlags(), q.vector)
	}
	return s
}
