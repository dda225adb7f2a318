package virtio

import "warren.dev/drivers/hw"

// window is a structure inside a BAR: a base offset and a length, checked
// when the transport is built so that fixed-offset accesses stay inside.
type window struct {
	r   hw.Regs
	off uint64
	len uint64
}

func (w window) read8(o uint64) uint8       { return w.r.Read8(w.off + o) }
func (w window) read16(o uint64) uint16     { return w.r.Read16(w.off + o) }
func (w window) read32(o uint64) uint32     { return w.r.Read32(w.off + o) }
func (w window) write8(o uint64, v uint8)   { w.r.Write8(w.off+o, v) }
func (w window) write16(o uint64, v uint16) { w.r.Write16(w.off+o, v) }
func (w window) write32(o uint64, v uint32) { w.r.Write32(w.off+o, v) }

// write64 writes a 64-bit field as two 32-bit halves, low first: §4.1.3.1
// lets the driver access the halves independently, and some devices only
// decode 32-bit accesses.
func (w window) write64(o uint64, v uint64) {
	w.write32(o, uint32(v))
	w.write32(o+4, uint32(v>>32))
}

func (w window) read64(o uint64) uint64 {
	return uint64(w.read32(o)) | uint64(w.read32(o+4))<<32
}
