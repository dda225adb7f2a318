package devmodel

import (
	"warren.dev/drivers/hw"
	"warren.dev/drivers/hw/hwtest"
)

// The virtio-mmio register block (§4.2.2), 0x200 bytes as in QEMU.
const (
	MMIOSize   = 0x200
	mmioMagic  = 0x74726976
	mmioVendor = 0x554d4551 // "QEMU"
	mmioConfig = 0x100
)

// MMIORegs returns the device's virtio-mmio register block and its size.
// Registers below the configuration take only aligned 32-bit accesses
// (§4.2.2.2); those that mean what a common configuration field means go
// through the same code as the PCI model's.
func (d *Device) MMIORegs() (hw.Regs, uint64) {
	return &hwtest.Regs{Read: d.mmioRead, Write: d.mmioWrite}, MMIOSize
}

// mmioCommon maps registers to the common configuration field and width
// with the same meaning.
var mmioCommon = map[uint64]struct {
	off   uint64
	width int
}{
	0x010: {0x04, 4}, // DeviceFeatures
	0x014: {0x00, 4}, // DeviceFeaturesSel
	0x020: {0x0c, 4}, // DriverFeatures
	0x024: {0x08, 4}, // DriverFeaturesSel
	0x030: {0x16, 2}, // QueueSel
	0x038: {0x18, 2}, // QueueNum
	0x044: {0x1c, 2}, // QueueReady
	0x070: {0x14, 1}, // Status
	0x080: {0x20, 4}, // QueueDescLow
	0x084: {0x24, 4}, // QueueDescHigh
	0x090: {0x28, 4}, // QueueDriverLow
	0x094: {0x2c, 4}, // QueueDriverHigh
	0x0a0: {0x30, 4}, // QueueDeviceLow
	0x0a4: {0x34, 4}, // QueueDeviceHigh
}

// mmioReadable are the registers the driver may read.
var mmioReadable = map[uint64]bool{
	0x000: true, 0x004: true, 0x008: true, 0x00c: true, 0x010: true,
	0x034: true, 0x044: true, 0x060: true, 0x070: true, 0x0fc: true,
}

func (d *Device) mmioRead(off uint64, width int) uint64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	if off >= mmioConfig {
		return d.readConfig(int(off-mmioConfig), width)
	}
	if width != 4 || off%4 != 0 || !mmioReadable[off] {
		d.Violationf("MMIO read of %d bytes at %#x", width, off)
		return 0
	}
	switch off {
	case 0x000:
		return mmioMagic
	case 0x004:
		if d.opts.MMIOVersion != 0 {
			return uint64(d.opts.MMIOVersion)
		}
		return 2
	case 0x008:
		return uint64(d.pers.DeviceID())
	case 0x00c:
		return mmioVendor
	case 0x034: // QueueNumMax: 0 for an unavailable queue
		if q := d.selected(); q != nil {
			return uint64(q.maxSize)
		}
		return 0
	case 0x060:
		return uint64(d.isr)
	case 0x0fc:
		return uint64(d.generation)
	}
	f := mmioCommon[off]
	return d.commonField(f.off, f.width)
}

func (d *Device) mmioWrite(off uint64, width int, v uint64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if width != 4 || off%4 != 0 {
		d.Violationf("MMIO write of %d bytes at %#x", width, off)
		return
	}
	switch off {
	case 0x050: // QueueNotify: the queue index
		if v >= uint64(len(d.queues)) {
			d.Violationf("notify for queue %d of %d", v, len(d.queues))
			return
		}
		d.notifyQueue(int(v))
		return
	case 0x064: // InterruptACK; the line drops when no cause is left
		d.isr &^= uint8(v)
		return
	}
	f, ok := mmioCommon[off]
	if !ok || off == 0x010 {
		d.Violationf("MMIO write of %#x at %#x", v, off)
		return
	}
	if f.width < 4 && v>>(8*f.width) != 0 {
		d.Violationf("MMIO register %#x written %#x, wider than the field", off, v)
		return
	}
	d.setCommonField(f.off, f.width, v)
}
