package virtio

import "errors"

// ErrConfigUnstable is returned when the device configuration kept
// changing while it was read.
var ErrConfigUnstable = errors.New("virtio: device configuration changed during every read")

// DeviceConfig reads the device-specific configuration structure. Reads
// use the field's natural width (§4.1.3.1, §4.2.2.2); a read beyond the
// structure's length returns 0, so a driver checks Len before reading a
// field whose presence depends on a feature.
type DeviceConfig struct{ w window }

// Len is the length of the device configuration structure.
func (c DeviceConfig) Len() int { return int(c.w.len) }

func (c DeviceConfig) in(off, n int) bool { return off >= 0 && uint64(off+n) <= c.w.len }

// Read8 reads the 8-bit field at off.
func (c DeviceConfig) Read8(off int) uint8 {
	if !c.in(off, 1) {
		return 0
	}
	return c.w.read8(uint64(off))
}

// Read16 reads the little-endian 16-bit field at off.
func (c DeviceConfig) Read16(off int) uint16 {
	if !c.in(off, 2) {
		return 0
	}
	return c.w.read16(uint64(off))
}

// Read32 reads the little-endian 32-bit field at off.
func (c DeviceConfig) Read32(off int) uint32 {
	if !c.in(off, 4) {
		return 0
	}
	return c.w.read32(uint64(off))
}

// Read64 reads a 64-bit field as two 32-bit halves, low first (§4.1.3.1).
func (c DeviceConfig) Read64(off int) uint64 {
	if !c.in(off, 8) {
		return 0
	}
	return c.w.read64(uint64(off))
}

// Generation reads the configuration generation.
func (t *Transport) Generation() uint32 { return t.regs.generation() }

// ReadDeviceConfig calls read with the device configuration until the
// configuration generation is the same before and after the call, so the
// fields read are one consistent snapshot (§2.5.1: fields wider than
// 32 bits, or several fields, may otherwise tear). read may run several
// times; it should only read.
func (t *Transport) ReadDeviceConfig(read func(DeviceConfig)) error {
	c := DeviceConfig{t.regs.deviceConfig()}
	for range 64 {
		before := t.Generation()
		read(c)
		if t.Generation() == before {
			return nil
		}
	}
	return ErrConfigUnstable
}
