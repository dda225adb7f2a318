package virtio

import (
	"errors"
	"runtime"
	"time"
)

// Transport is a virtio 1.x device's register interface, over PCI
// (NewPCI) or MMIO (NewMMIO). The initialization sequence, feature
// negotiation, reset, queue validation and configuration snapshots are
// the same for both (§3.1, §2.5.1); only the registers differ.
//
// Its methods are not safe for concurrent use, except Status, NeedsReset,
// InterruptStatus, Generation and ReadDeviceConfig, which only read
// registers without selectors (and acknowledge interrupts); a driver
// serializes setup and, after DRIVER_OK, touches only those and the
// doorbells.
type Transport struct {
	regs registers

	// ResetTimeout bounds the wait for a reset to complete (default 1s).
	ResetTimeout time.Duration
}

// registers is one transport's register layout: the virtio-pci common
// configuration structure and ISR (pci.go), or the virtio-mmio register
// block (mmio.go).
type registers interface {
	status() uint8
	writeStatus(v uint8)
	features() featureRegs
	generation() uint32
	deviceConfig() window

	// selectQueue selects queue i and returns its maximum size, 0 if
	// the queue is unavailable.
	selectQueue(i int) int
	// queueEnabled reports whether the selected queue is enabled.
	queueEnabled() bool
	// setupQueue programs the selected queue (queue i) with its size,
	// ring addresses and MSI-X vector, without enabling it, and returns
	// its doorbell.
	setupQueue(i, size int, desc, driver, device uint64, vector uint16) (Notifier, error)
	// enableQueue enables the selected queue.
	enableQueue()
	setConfigVector(v uint16) error
	// interruptStatus returns the pending interrupt causes (ISRQueue,
	// ISRConfig) and acknowledges them.
	interruptStatus() uint8
}

// featureRegs are the 32-bit select and value registers through which
// both transports exchange 64 feature bits, 32 at a time.
type featureRegs struct {
	w                                 window
	deviceSel, device, driverSel, drv uint64
}

func (f featureRegs) read() Features {
	f.w.write32(f.deviceSel, 0)
	lo := f.w.read32(f.device)
	f.w.write32(f.deviceSel, 1)
	hi := f.w.read32(f.device)
	return Features(lo) | Features(hi)<<32
}

func (f featureRegs) write(v Features) {
	f.w.write32(f.driverSel, 0)
	f.w.write32(f.drv, uint32(v))
	f.w.write32(f.driverSel, 1)
	f.w.write32(f.drv, uint32(v>>32))
}

// Errors the transport reports.
var (
	ErrNoVersion1       = errors.New("virtio: device does not offer VIRTIO_F_VERSION_1 (legacy device)")
	ErrFeaturesRejected = errors.New("virtio: device did not accept the negotiated features (FEATURES_OK cleared)")
	ErrResetTimeout     = errors.New("virtio: device did not complete reset")
	ErrNeedsReset       = errors.New("virtio: device needs reset (DEVICE_NEEDS_RESET)")
)

func newTransport(r registers) *Transport {
	return &Transport{regs: r, ResetTimeout: time.Second}
}

// Status reads the device status.
func (t *Transport) Status() uint8 { return t.regs.status() }

// NeedsReset reports whether the device has set DEVICE_NEEDS_RESET
// (§2.1.2: it then sends a configuration change notification).
func (t *Transport) NeedsReset() bool { return t.Status()&StatusDeviceNeedsReset != 0 }

// setStatus adds bits to the device status; the driver never clears a
// bit (§2.1.1).
func (t *Transport) setStatus(bits uint8) {
	t.regs.writeStatus(t.Status() | bits)
}

// Fail sets FAILED: the driver has given up on the device. Only a reset
// leaves this state.
func (t *Transport) Fail() { t.setStatus(StatusFailed) }

// Reset resets the device and waits for the status to read 0, as
// §4.1.4.3.2 and §4.2.3.1 require before reinitializing. After it
// returns, the device no longer accesses rings or buffers, so their
// memory may be freed.
func (t *Transport) Reset() error {
	t.regs.writeStatus(0)
	start := time.Now()
	for i := 0; t.regs.status() != 0; i++ {
		if time.Since(start) > t.ResetTimeout {
			return ErrResetTimeout
		}
		if i < 100 {
			runtime.Gosched()
		} else {
			time.Sleep(100 * time.Microsecond)
		}
	}
	return nil
}

// Negotiate runs the first half of device initialization (§3.1.1 steps
// 1-6): reset, ACKNOWLEDGE, DRIVER, read the offered features, accept a
// subset, FEATURES_OK, and check that the device kept FEATURES_OK.
//
// accept gets the offered features and returns those the driver wants;
// typically the device-type bits it understands plus TransportFeatures.
// The transport drops bits that were not offered, transport bits it does
// not implement, and adds VERSION_1, which it requires. The result is
// the negotiated set. On failure after the handshake started the device
// is left FAILED; Negotiate again (it starts with a reset) or Reset.
func (t *Transport) Negotiate(accept func(offered Features) Features) (Features, error) {
	if err := t.Reset(); err != nil {
		return 0, err
	}
	t.setStatus(StatusAcknowledge)
	t.setStatus(StatusDriver)

	offered := t.regs.features().read()
	if !offered.Has(FVersion1) {
		t.Fail()
		return 0, ErrNoVersion1
	}
	want := accept(offered)&offered&(deviceTypeFeatures|TransportFeatures) | FVersion1
	t.regs.features().write(want)

	t.setStatus(StatusFeaturesOK)
	// §3.1.1 step 6: re-read device status to ensure the FEATURES_OK bit
	// is still set: otherwise the device does not support our subset.
	if t.Status()&StatusFeaturesOK == 0 {
		t.Fail()
		return 0, ErrFeaturesRejected
	}
	return want, nil
}

// DriverOK sets DRIVER_OK (§3.1.1 step 8): queues are set up and the
// device may use them. Buffers added before this (receive buffers, say)
// are visible to the device from now on.
func (t *Transport) DriverOK() error {
	t.setStatus(StatusDriverOK)
	if t.NeedsReset() {
		return ErrNeedsReset
	}
	return nil
}

// InterruptStatus returns the causes of a pending interrupt (ISRQueue,
// ISRConfig) and acknowledges them, deasserting the interrupt line. Used
// with a line interrupt (PCI INTx, MMIO); with MSI-X the vector says.
func (t *Transport) InterruptStatus() uint8 { return t.regs.interruptStatus() }
