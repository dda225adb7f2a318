package devmodel

import "encoding/binary"

// commonWidth is the natural access width of each common configuration
// field; §4.1.3.1 requires the driver to use it (64-bit fields as two
// 32-bit halves, or whole).
var commonWidth = map[uint64]int{
	0x00: 4, 0x04: 4, 0x08: 4, 0x0c: 4,
	0x10: 2, 0x12: 2, 0x14: 1, 0x15: 1,
	0x16: 2, 0x18: 2, 0x1a: 2, 0x1c: 2, 0x1e: 2,
	0x20: 4, 0x24: 4, 0x28: 4, 0x2c: 4, 0x30: 4, 0x34: 4,
}

func (d *Device) read(off uint64, width int) uint64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	switch {
	case off < commonOff+commonLen:
		return d.readCommon(off-commonOff, width)
	case off == isrOff:
		// Reading clears the ISR and deasserts INTx (§4.1.4.5).
		v := d.isr
		d.isr = 0
		return uint64(v)
	case off >= deviceOff && off < deviceOff+uint64(len(d.config)):
		return d.readConfig(int(off-deviceOff), width)
	}
	d.Violationf("read %d bytes at unmapped BAR offset %#x", width, off)
	return 0
}

// readConfig reads the device configuration at its natural width
// (§4.1.3.1, §4.2.2.2); lock held.
func (d *Device) readConfig(o, width int) uint64 {
	if o+width > len(d.config) || o%width != 0 {
		d.Violationf("device config read %d bytes at %#x", width, o)
		return 0
	}
	b := d.config[o : o+width]
	switch width {
	case 1:
		return uint64(b[0])
	case 2:
		return uint64(binary.LittleEndian.Uint16(b))
	case 4:
		return uint64(binary.LittleEndian.Uint32(b))
	}
	d.Violationf("device config read of width %d", width)
	return 0
}

func (d *Device) readCommon(off uint64, width int) uint64 {
	if !d.commonWidthOK(off, width) {
		d.Violationf("common config read of %d bytes at %#x", width, off)
		return 0
	}
	return d.commonField(off, width)
}

// commonWidthOK checks the width of a common configuration access.
func (d *Device) commonWidthOK(off uint64, width int) bool {
	w, ok := commonWidth[off]
	return ok && w == width || width == 8 && off >= 0x20 && off < commonLen && off%8 == 0
}

// commonField reads a common configuration field, whose meaning the MMIO
// registers share (mmio.go); lock held.
func (d *Device) commonField(off uint64, width int) uint64 {
	q := d.selected()
	switch off {
	case 0x00:
		return uint64(d.devFeatSel)
	case 0x04:
		if d.devFeatSel < 2 {
			return uint64(uint32(d.opts.Features >> (32 * d.devFeatSel)))
		}
		return 0
	case 0x08:
		return uint64(d.drvFeatSel)
	case 0x0c:
		if d.drvFeatSel < 2 {
			return uint64(uint32(d.driverFeatures >> (32 * d.drvFeatSel)))
		}
		return 0
	case 0x10:
		return uint64(d.configVector)
	case 0x12:
		return uint64(len(d.queues))
	case 0x14:
		return uint64(d.status)
	case 0x15:
		return uint64(d.generation)
	case 0x16:
		return uint64(d.queueSel)
	}
	if q == nil {
		return 0 // §4.1.4.3.1: size 0 for an unavailable queue
	}
	switch off {
	case 0x18:
		return uint64(q.size)
	case 0x1a:
		return uint64(q.vector)
	case 0x1c:
		if q.enabled {
			return 1
		}
		return 0
	case 0x1e:
		return uint64(q.index) // notify offset = index * NotifyMult
	}
	var v uint64
	switch off &^ 7 {
	case 0x20:
		v = q.descPA
	case 0x28:
		v = q.availPA
	case 0x30:
		v = q.usedPA
	}
	if width == 8 {
		return v
	}
	return uint64(uint32(v >> (8 * (off & 4))))
}

func (d *Device) selected() *vq {
	if int(d.queueSel) < len(d.queues) {
		return d.queues[d.queueSel]
	}
	return nil
}

func (d *Device) write(off uint64, width int, v uint64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	switch {
	case off < commonOff+commonLen:
		d.writeCommon(off-commonOff, width, v)
	case off >= notifyOff && off < notifyOff+NotifyMult*uint64(len(d.queues)):
		d.notify(off-notifyOff, width, v)
	default:
		d.Violationf("write of %d bytes at BAR offset %#x", width, off)
	}
}

func (d *Device) notify(off uint64, width int, v uint64) {
	i := int(off / NotifyMult)
	switch {
	case off%NotifyMult != 0 || width != 2:
		d.Violationf("notify write of %d bytes at notify offset %#x", width, off)
	case v != uint64(i):
		d.Violationf("notify for queue %d written at queue %d's address", v, i)
	default:
		d.notifyQueue(i)
	}
}

// notifyQueue takes an available buffer notification for queue i, an
// index of a queue the model has; lock held.
func (d *Device) notifyQueue(i int) {
	switch {
	case d.status&statusDriverOK == 0:
		d.Violationf("notify for queue %d before DRIVER_OK (§3.1.1)", i)
	case !d.queues[i].enabled:
		d.Violationf("notify for disabled queue %d", i)
	default:
		d.notifies[i]++
		d.Kick()
	}
}

func (d *Device) writeCommon(off uint64, width int, v uint64) {
	if !d.commonWidthOK(off, width) {
		d.Violationf("common config write of %d bytes at %#x", width, off)
		return
	}
	d.setCommonField(off, width, v)
}

// setCommonField writes a common configuration field, whose meaning the
// MMIO registers share (mmio.go); lock held.
func (d *Device) setCommonField(off uint64, width int, v uint64) {
	switch off {
	case 0x00:
		d.devFeatSel = uint32(v)
		return
	case 0x08:
		d.drvFeatSel = uint32(v)
		return
	case 0x0c:
		if d.status&2 == 0 || d.status&statusFeaturesOK != 0 {
			d.Violationf("driver_feature written with status %#x", d.status)
		}
		if d.drvFeatSel < 2 {
			shift := 32 * d.drvFeatSel
			d.driverFeatures = d.driverFeatures&^(0xffffffff<<shift) | uint64(uint32(v))<<shift
		} else if v != 0 {
			d.Violationf("driver features %#x in window %d", v, d.drvFeatSel)
		}
		return
	case 0x10:
		d.configVector = d.vectorFor(uint16(v))
		return
	case 0x14:
		d.writeStatus(uint8(v))
		return
	case 0x16:
		d.queueSel = uint16(v)
		return
	case 0x04, 0x12, 0x15, 0x1e:
		d.Violationf("write to read-only common config field %#x", off)
		return
	}
	q := d.selected()
	if q == nil {
		d.Violationf("queue register %#x written for unavailable queue %d", off, d.queueSel)
		return
	}
	if d.status&statusFeaturesOK == 0 {
		d.Violationf("queue %d configured before FEATURES_OK", q.index)
	}
	if off == 0x1c {
		if v != 1 {
			d.Violationf("queue_enable written %d (§4.1.4.3.2)", v)
			return
		}
		if q.enabled {
			d.Violationf("queue %d enabled twice", q.index)
			return
		}
		if err := q.enable(d.DMA); err != nil {
			d.Violationf("%v", err)
		}
		return
	}
	if q.enabled {
		d.Violationf("queue %d register %#x written while enabled", q.index, off)
		return
	}
	switch off {
	case 0x18:
		q.size = uint16(v)
	case 0x1a:
		q.vector = d.vectorFor(uint16(v))
	default:
		p := map[uint64]*uint64{0x20: &q.descPA, 0x28: &q.availPA, 0x30: &q.usedPA}[off&^7]
		switch {
		case width == 8:
			*p = v
		case off&4 == 0:
			*p = *p&^0xffffffff | uint64(uint32(v))
		default:
			*p = *p&0xffffffff | uint64(uint32(v))<<32
		}
	}
}

// vectorFor is what the device keeps when the driver maps an event to
// vector v: v, or NO_VECTOR if it cannot (§4.1.5.1.2).
func (d *Device) vectorFor(v uint16) uint16 {
	if v == noVector {
		return v
	}
	if int(v) >= len(d.msix) {
		d.Violationf("vector %d outside the %d-entry MSI-X table", v, len(d.msix))
		return noVector
	}
	if d.opts.VectorLimit > 0 && int(v) >= d.opts.VectorLimit {
		return noVector
	}
	return v
}

func (d *Device) writeStatus(v uint8) {
	if v == 0 {
		d.resets++
		d.resetLocked()
		return
	}
	if v&d.status != d.status {
		d.Violationf("device_status %#x clears bits of %#x (§2.1.1)", v, d.status)
	}
	added := v &^ d.status
	if added&statusFeaturesOK != 0 {
		if err := d.checkFeatures(); err != nil {
			v &^= statusFeaturesOK // the device refuses (§3.1.1 step 6)
		}
	}
	if added&statusDriverOK != 0 && v&statusFeaturesOK == 0 {
		d.Violationf("DRIVER_OK without FEATURES_OK")
	}
	d.status = v
	if added&statusDriverOK != 0 {
		d.Kick()
	}
}

func (d *Device) checkFeatures() error {
	f := d.driverFeatures
	switch {
	case d.opts.RefuseFeaturesOK:
		return errRefused
	case f&^d.opts.Features != 0:
		d.Violationf("driver accepted features %#x that were not offered", f&^d.opts.Features)
		return errRefused
	case f&featVersion1 == 0:
		return errRefused
	}
	if err := d.pers.CheckFeatures(f); err != nil {
		d.Violationf("feature dependencies: %v", err)
		return err
	}
	return nil
}
