package virtio

import (
	"errors"
	"fmt"

	"warren.dev/drivers/hw"
)

// virtio-mmio registers (§4.2.2, register layout version 2). The driver
// accesses them only with aligned 32-bit reads and writes (§4.2.2.2).
const (
	mmioMagicValue        = 0x000
	mmioVersion           = 0x004
	mmioDeviceID          = 0x008
	mmioDeviceFeatures    = 0x010
	mmioDeviceFeaturesSel = 0x014
	mmioDriverFeatures    = 0x020
	mmioDriverFeaturesSel = 0x024
	mmioQueueSel          = 0x030
	mmioQueueNumMax       = 0x034
	mmioQueueNum          = 0x038
	mmioQueueReady        = 0x044
	mmioQueueNotify       = 0x050
	mmioInterruptStatus   = 0x060
	mmioInterruptACK      = 0x064
	mmioStatus            = 0x070
	mmioQueueDesc         = 0x080 // low half, high at 0x084
	mmioQueueDriver       = 0x090
	mmioQueueDevice       = 0x0a0
	mmioConfigGeneration  = 0x0fc
	mmioConfig            = 0x100

	mmioMagic = 0x74726976 // "virt", little-endian
)

// Errors NewMMIO reports.
var (
	// ErrNoDevice: the transport is there but has no device behind it
	// (DeviceID 0, §4.2.3.1.1), as in QEMU's unused microvm slots.
	ErrNoDevice = errors.New("virtio-mmio: no device (DeviceID 0)")
	// ErrLegacyMMIO: the device has the legacy register layout (version
	// 1), which Warren does not drive. QEMU gives modern devices with
	// -global virtio-mmio.force-legacy=false.
	ErrLegacyMMIO = errors.New("virtio-mmio: legacy device (register layout version 1); only version 2 (virtio 1.x) is supported")
)

// mmioRegs are a virtio-mmio device's register block.
type mmioRegs struct{ w window }

// NewMMIO builds the virtio-mmio transport over the register block regs
// of size bytes and returns it with the virtio device ID (1 for a
// network device). It checks the magic value, skips an empty slot
// (ErrNoDevice) and refuses the legacy layout (ErrLegacyMMIO).
func NewMMIO(regs hw.Regs, size uint64) (*Transport, uint32, error) {
	if size < mmioConfig {
		return nil, 0, fmt.Errorf("virtio-mmio: register block of %#x bytes, need at least %#x", size, mmioConfig)
	}
	r := &mmioRegs{w: window{r: regs, len: size}}
	if m := r.w.read32(mmioMagicValue); m != mmioMagic {
		return nil, 0, fmt.Errorf("virtio-mmio: magic value %#x, want %#x", m, mmioMagic)
	}
	// An empty slot is skipped whatever its version: QEMU's unused
	// slots report the legacy one.
	id := r.w.read32(mmioDeviceID)
	if id == 0 {
		return nil, 0, ErrNoDevice
	}
	switch v := r.w.read32(mmioVersion); v {
	case 2:
	case 1:
		return nil, id, ErrLegacyMMIO
	default:
		return nil, id, fmt.Errorf("virtio-mmio: unknown register layout version %d", v)
	}
	return newTransport(r), id, nil
}

func (r *mmioRegs) status() uint8       { return uint8(r.w.read32(mmioStatus)) }
func (r *mmioRegs) writeStatus(v uint8) { r.w.write32(mmioStatus, uint32(v)) }
func (r *mmioRegs) generation() uint32  { return r.w.read32(mmioConfigGeneration) }

func (r *mmioRegs) deviceConfig() window {
	return window{r: r.w.r, off: mmioConfig, len: r.w.len - mmioConfig}
}

func (r *mmioRegs) features() featureRegs {
	return featureRegs{w: r.w, deviceSel: mmioDeviceFeaturesSel, device: mmioDeviceFeatures,
		driverSel: mmioDriverFeaturesSel, drv: mmioDriverFeatures}
}

// selectQueue reads QueueNumMax, which is 0 for an unavailable queue.
func (r *mmioRegs) selectQueue(i int) int {
	if i < 0 {
		return 0
	}
	r.w.write32(mmioQueueSel, uint32(i))
	return int(r.w.read32(mmioQueueNumMax))
}

func (r *mmioRegs) queueEnabled() bool { return r.w.read32(mmioQueueReady) != 0 }
func (r *mmioRegs) enableQueue()       { r.w.write32(mmioQueueReady, 1) }

func (r *mmioRegs) setupQueue(i, size int, desc, driver, device uint64, vector uint16) (Notifier, error) {
	if err := r.setConfigVector(vector); err != nil {
		return nil, err
	}
	r.w.write32(mmioQueueNum, uint32(size))
	r.w.write64(mmioQueueDesc, desc)
	r.w.write64(mmioQueueDriver, driver)
	r.w.write64(mmioQueueDevice, device)
	return mmioDoorbell{w: r.w, index: uint32(i)}, nil
}

// setConfigVector accepts only NoVector: virtio-mmio has one interrupt
// line and no MSI-X.
func (r *mmioRegs) setConfigVector(v uint16) error {
	if v != NoVector {
		return fmt.Errorf("%w: virtio-mmio has no MSI-X vectors (asked for %d)", ErrVectorRefused, v)
	}
	return nil
}

// mmioACKRounds bounds interruptStatus's loop against a device that
// never stops raising causes.
const mmioACKRounds = 8

// interruptStatus acknowledges causes until InterruptStatus reads 0. The
// line is edge-triggered on microVMs and stays high while any cause is
// set: a cause raised between the read and the acknowledgement would
// otherwise keep it high, and no later event would make another edge.
func (r *mmioRegs) interruptStatus() uint8 {
	var causes uint32
	for range mmioACKRounds {
		s := r.w.read32(mmioInterruptStatus)
		if s == 0 {
			break
		}
		r.w.write32(mmioInterruptACK, s)
		causes |= s
	}
	return uint8(causes)
}

// mmioDoorbell notifies the device of new available buffers on one queue:
// a 32-bit write of the queue index to QueueNotify (§4.2.3.3).
type mmioDoorbell struct {
	w     window
	index uint32
}

func (d mmioDoorbell) Ring() { d.w.write32(mmioQueueNotify, d.index) }
