package virtio

import (
	"errors"
	"fmt"
	"runtime"
	"time"

	"warren.dev/drivers/hw"
)

// Common configuration structure offsets (struct virtio_pci_common_cfg,
// §4.1.4.3).
const (
	ccDeviceFeatureSelect = 0x00
	ccDeviceFeature       = 0x04
	ccDriverFeatureSelect = 0x08
	ccDriverFeature       = 0x0c
	ccConfigMSIXVector    = 0x10
	ccNumQueues           = 0x12
	ccDeviceStatus        = 0x14
	ccConfigGeneration    = 0x15
	ccQueueSelect         = 0x16
	ccQueueSize           = 0x18
	ccQueueMSIXVector     = 0x1a
	ccQueueEnable         = 0x1c
	ccQueueNotifyOff      = 0x1e
	ccQueueDesc           = 0x20
	ccQueueDriver         = 0x28
	ccQueueDevice         = 0x30
	ccLen                 = 0x38 // through queue_device: what a 1.0 device has
)

// BARMapper maps BAR i of the function and reports its size. It fails for
// a BAR the platform cannot map (an I/O BAR without port access, say); the
// transport then tries the next capability of the same type.
type BARMapper func(bar int) (regs hw.Regs, size uint64, err error)

// Transport is a modern virtio-pci device's register interface.
//
// Its methods are not safe for concurrent use, except Status, NeedsReset,
// ISR, Generation and ReadDeviceConfig, which only read registers without
// selectors; a driver serializes setup and, after DRIVER_OK, touches only
// those and the doorbells.
type Transport struct {
	common     window
	notify     window
	notifyMult uint64
	isr        window
	device     window // len 0 when the device has no device configuration

	// ResetTimeout bounds the wait for a reset to complete (default 1s).
	ResetTimeout time.Duration
}

// Errors the transport reports.
var (
	ErrNoVersion1       = errors.New("virtio: device does not offer VIRTIO_F_VERSION_1 (legacy device)")
	ErrFeaturesRejected = errors.New("virtio: device did not accept the negotiated features (FEATURES_OK cleared)")
	ErrResetTimeout     = errors.New("virtio: device did not complete reset")
	ErrNeedsReset       = errors.New("virtio: device needs reset (DEVICE_NEEDS_RESET)")
)

// NewTransport builds the transport from the function's virtio
// capabilities, in capability-list order, using the first usable one of
// each type (§4.1.4.1: the order is the device's preference). Common,
// notify and ISR structures are required; device configuration is
// optional.
func NewTransport(caps []Cap, bars BARMapper) (*Transport, error) {
	t := &Transport{ResetTimeout: time.Second}
	need := map[uint8]uint64{ // minimum useful length per type
		CapCommonCfg: ccLen,
		CapNotifyCfg: 2,
		CapISRCfg:    1,
		CapDeviceCfg: 0,
	}
	found := map[uint8]bool{}
	var errs []error
	for _, c := range caps {
		min, known := need[c.Type]
		if !known || found[c.Type] || c.BAR > 5 {
			continue // reserved types and BARs are ignored (§4.1.4.1)
		}
		if c.Length < min {
			errs = append(errs, fmt.Errorf("virtio: capability type %d is %d bytes, need %d", c.Type, c.Length, min))
			continue
		}
		regs, size, err := bars(int(c.BAR))
		if err != nil {
			errs = append(errs, fmt.Errorf("virtio: capability type %d: BAR %d: %w", c.Type, c.BAR, err))
			continue
		}
		if c.Offset > size || c.Length > size-c.Offset {
			errs = append(errs, fmt.Errorf("virtio: capability type %d: %#x+%#x outside BAR %d (%#x bytes)", c.Type, c.Offset, c.Length, c.BAR, size))
			continue
		}
		w := window{r: regs, off: c.Offset, len: c.Length}
		switch c.Type {
		case CapCommonCfg:
			t.common = w
		case CapNotifyCfg:
			t.notify = w
			t.notifyMult = uint64(c.NotifyOffMultiplier)
		case CapISRCfg:
			t.isr = w
		case CapDeviceCfg:
			t.device = w
		}
		found[c.Type] = true
	}
	for _, typ := range []uint8{CapCommonCfg, CapNotifyCfg, CapISRCfg} {
		if !found[typ] {
			errs = append(errs, fmt.Errorf("virtio: no usable capability of type %d", typ))
			return nil, errors.Join(errs...)
		}
	}
	return t, nil
}

// Status reads device_status.
func (t *Transport) Status() uint8 { return t.common.read8(ccDeviceStatus) }

// NeedsReset reports whether the device has set DEVICE_NEEDS_RESET
// (§2.1.2: it then sends a configuration change notification).
func (t *Transport) NeedsReset() bool { return t.Status()&StatusDeviceNeedsReset != 0 }

// setStatus adds bits to device_status; the driver never clears a bit
// (§2.1.1).
func (t *Transport) setStatus(bits uint8) {
	t.common.write8(ccDeviceStatus, t.Status()|bits)
}

// Fail sets FAILED: the driver has given up on the device. Only a reset
// leaves this state.
func (t *Transport) Fail() { t.setStatus(StatusFailed) }

// Reset resets the device and waits for device_status to read 0, as
// §4.1.4.3.2 requires before reinitializing. After it returns, the device
// no longer accesses rings or buffers, so their memory may be freed.
func (t *Transport) Reset() error {
	t.common.write8(ccDeviceStatus, 0)
	start := time.Now()
	for i := 0; t.common.read8(ccDeviceStatus) != 0; i++ {
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

	offered := t.deviceFeatures()
	if !offered.Has(FVersion1) {
		t.Fail()
		return 0, ErrNoVersion1
	}
	want := accept(offered)&offered&(deviceTypeFeatures|TransportFeatures) | FVersion1
	t.writeDriverFeatures(want)

	t.setStatus(StatusFeaturesOK)
	// §3.1.1 step 6: re-read device status to ensure the FEATURES_OK bit
	// is still set: otherwise the device does not support our subset.
	if t.Status()&StatusFeaturesOK == 0 {
		t.Fail()
		return 0, ErrFeaturesRejected
	}
	return want, nil
}

func (t *Transport) deviceFeatures() Features {
	t.common.write32(ccDeviceFeatureSelect, 0)
	lo := t.common.read32(ccDeviceFeature)
	t.common.write32(ccDeviceFeatureSelect, 1)
	hi := t.common.read32(ccDeviceFeature)
	return Features(lo) | Features(hi)<<32
}

func (t *Transport) writeDriverFeatures(f Features) {
	t.common.write32(ccDriverFeatureSelect, 0)
	t.common.write32(ccDriverFeature, uint32(f))
	t.common.write32(ccDriverFeatureSelect, 1)
	t.common.write32(ccDriverFeature, uint32(f>>32))
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
