package virtio

import (
	"errors"
	"fmt"

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

// pciRegs are a modern virtio-pci device's structures (§4.1.4).
type pciRegs struct {
	common     window
	notify     window
	notifyMult uint64
	isr        window
	device     window // len 0 when the device has no device configuration
}

// NewPCI builds the virtio-pci transport from the function's virtio
// capabilities, in capability-list order, using the first usable one of
// each type (§4.1.4.1: the order is the device's preference). Common,
// notify and ISR structures are required; device configuration is
// optional.
func NewPCI(caps []Cap, bars BARMapper) (*Transport, error) {
	var r pciRegs
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
			r.common = w
		case CapNotifyCfg:
			r.notify = w
			r.notifyMult = uint64(c.NotifyOffMultiplier)
		case CapISRCfg:
			r.isr = w
		case CapDeviceCfg:
			r.device = w
		}
		found[c.Type] = true
	}
	for _, typ := range []uint8{CapCommonCfg, CapNotifyCfg, CapISRCfg} {
		if !found[typ] {
			errs = append(errs, fmt.Errorf("virtio: no usable capability of type %d", typ))
			return nil, errors.Join(errs...)
		}
	}
	return newTransport(&r), nil
}

func (r *pciRegs) status() uint8        { return r.common.read8(ccDeviceStatus) }
func (r *pciRegs) writeStatus(v uint8)  { r.common.write8(ccDeviceStatus, v) }
func (r *pciRegs) generation() uint32   { return uint32(r.common.read8(ccConfigGeneration)) }
func (r *pciRegs) deviceConfig() window { return r.device }

func (r *pciRegs) features() featureRegs {
	return featureRegs{w: r.common, deviceSel: ccDeviceFeatureSelect, device: ccDeviceFeature,
		driverSel: ccDriverFeatureSelect, drv: ccDriverFeature}
}

// selectQueue reads queue_size, which is 0 for an unavailable queue
// (§4.1.4.3.1); indexes from num_queues up are not selected at all.
func (r *pciRegs) selectQueue(i int) int {
	if i < 0 || i >= int(r.common.read16(ccNumQueues)) {
		return 0
	}
	r.common.write16(ccQueueSelect, uint16(i))
	return int(r.common.read16(ccQueueSize))
}

func (r *pciRegs) queueEnabled() bool { return r.common.read16(ccQueueEnable) != 0 }

// enableQueue writes queue_enable; the driver MUST NOT write 0 there
// (§4.1.4.3.2).
func (r *pciRegs) enableQueue() { r.common.write16(ccQueueEnable, 1) }

func (r *pciRegs) setupQueue(i, size int, desc, driver, device uint64, vector uint16) (Notifier, error) {
	r.common.write16(ccQueueSize, uint16(size))
	r.common.write64(ccQueueDesc, desc)
	r.common.write64(ccQueueDriver, driver)
	r.common.write64(ccQueueDevice, device)
	r.common.write16(ccQueueMSIXVector, vector)
	if got := r.common.read16(ccQueueMSIXVector); got != vector {
		return nil, fmt.Errorf("%w: queue %d vector %d read back %#x", ErrVectorRefused, i, vector, got)
	}
	// Queue Notify address: cap.offset + queue_notify_off *
	// notify_off_multiplier (§4.1.4.4).
	off := uint64(r.common.read16(ccQueueNotifyOff)) * r.notifyMult
	if off+2 > r.notify.len {
		return nil, fmt.Errorf("virtio: queue %d: notify offset %#x outside the %#x-byte notify structure", i, off, r.notify.len)
	}
	return pciDoorbell{w: r.notify, off: off, index: uint16(i)}, nil
}

func (r *pciRegs) setConfigVector(v uint16) error {
	r.common.write16(ccConfigMSIXVector, v)
	if got := r.common.read16(ccConfigMSIXVector); got != v {
		return fmt.Errorf("%w: config vector %d read back %#x", ErrVectorRefused, v, got)
	}
	return nil
}

// interruptStatus reads the ISR status, which reading clears (§4.1.4.5).
func (r *pciRegs) interruptStatus() uint8 { return r.isr.read8(0) }

// pciDoorbell sends available buffer notifications for one queue: a
// 16-bit write of the queue index (§4.1.5.2, without NOTIFICATION_DATA).
// The caller has published the available index with an atomic store,
// which the compiler keeps before this call; on x86-64 the ring stores to
// ordinary memory are also seen by the device before this uncached MMIO
// store.
type pciDoorbell struct {
	w     window
	off   uint64
	index uint16
}

func (d pciDoorbell) Ring() { d.w.write16(d.off, d.index) }
