package cpu

import "encoding/binary"

// Segment descriptors of a flat 64-bit GDT (SDM Vol. 3A §3.4.5, §5.2.1).
const (
	DescKernelCode = 0x00AF9A000000FFFF // present, DPL 0, code, L=1
	DescKernelData = 0x00CF92000000FFFF // present, DPL 0, data, writable
	DescUserData   = 0x00CFF2000000FFFF // present, DPL 3, data, writable
	DescUserCode   = 0x00AFFA000000FFFF // present, DPL 3, code, L=1
)

// TSSDescriptor returns the two GDT slots of an available 64-bit TSS at
// base with the given limit (SDM Vol. 3A §8.2.3).
func TSSDescriptor(base uint64, limit uint32) (lo, hi uint64) {
	lo = uint64(limit&0xffff) |
		(base&0xffffff)<<16 |
		0x89<<40 | // present, DPL 0, type 9 (available 64-bit TSS)
		uint64(limit>>16&0xf)<<48 |
		(base>>24&0xff)<<56
	hi = base >> 32
	return lo, hi
}

// Gate types for IDT entries (SDM Vol. 3A §6.14.1).
const (
	GateInterrupt = 0x8e // present, DPL 0, 64-bit interrupt gate
	GateUserTrap  = 0xee // present, DPL 3 (reachable by INT n from user mode), interrupt gate
)

// Gate is one 16-byte IDT entry.
type Gate [2]uint64

// MakeGate returns an IDT entry for a handler at offset in code segment
// sel, switching to interrupt stack ist (0 = none).
func MakeGate(offset uint64, sel uint16, ist uint8, typ uint8) Gate {
	lo := offset&0xffff |
		uint64(sel)<<16 |
		uint64(ist&7)<<32 |
		uint64(typ)<<40 |
		(offset>>16&0xffff)<<48
	return Gate{lo, offset >> 32}
}

// TSS is the 64-bit task-state segment (SDM Vol. 3A §8.7): Warren uses it
// only for the stacks the CPU switches to on interrupts.
type TSS [104]byte

// SetRSP0 sets the stack loaded on an interrupt from user mode.
func (t *TSS) SetRSP0(sp uint64) { binary.LittleEndian.PutUint64(t[4:], sp) }

// RSP0 returns the stack loaded on an interrupt from user mode.
func (t *TSS) RSP0() uint64 { return binary.LittleEndian.Uint64(t[4:]) }

// SetIST sets interrupt stack n (1-7).
func (t *TSS) SetIST(n int, sp uint64) { binary.LittleEndian.PutUint64(t[36+8*(n-1):], sp) }

// SetNoIOBitmap points the I/O permission bitmap past the segment limit:
// port access from user mode is then governed by IOPL alone.
func (t *TSS) SetNoIOBitmap() { binary.LittleEndian.PutUint16(t[102:], uint16(len(t))) }

// PseudoDescriptor is the operand of LGDT and LIDT.
type PseudoDescriptor struct {
	_     [3]uint16 // padding so that Limit..Base are contiguous and Base is aligned
	Limit uint16
	Base  uint64
}
