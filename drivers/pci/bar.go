package pci

import "fmt"

// BARKind is what a base address register decodes.
type BARKind uint8

const (
	Memory32 BARKind = iota + 1 // memory anywhere in the low 4 GiB
	Memory64                    // memory anywhere; takes two BAR slots
	IO                          // I/O ports
)

func (k BARKind) String() string {
	switch k {
	case Memory32:
		return "mem32"
	case Memory64:
		return "mem64"
	case IO:
		return "io"
	}
	return fmt.Sprintf("BARKind(%d)", uint8(k))
}

// BAR is one implemented base address register, as firmware assigned it.
type BAR struct {
	Index        int // 0-5; a Memory64 BAR also uses slot Index+1
	Kind         BARKind
	Addr, Size   uint64
	Prefetchable bool
}

// The low bits of a BAR (PCI 3.0 §6.2.5.1, Figures 6-5 and 6-6).
const (
	barIO          = 1 << 0
	barMemType     = 3 << 1
	barMemType32   = 0 << 1
	barMemTypeLow  = 1 << 1 // "below 1 MB", PCI 2.x; decoded as 32-bit
	barMemType64   = 2 << 1
	barPrefetch    = 1 << 3
	barIOFlags     = 0x3
	barMemoryFlags = 0xf
)

// barSlots is how many BARs a header layout has.
func barSlots(headerType uint8) int {
	switch headerType {
	case HeaderNormal:
		return 6
	case HeaderBridge:
		return 2
	}
	return 0 // CardBus: its one "BAR" is the socket registers; not sized
}

// sizeBARs decodes and sizes each BAR the PCI 3.0 §6.2.5.1 way: write all
// ones, read back (the device holds the address bits below its size at
// zero), restore. Memory and I/O decoding are off meanwhile, so the
// all-ones address is never claimed. Like Linux, host bridges keep
// decoding: on some, that bit gates main memory.
//
// Not safe while a driver uses the device; Scan runs before drivers.
func sizeBARs(d Device) []BAR {
	n := barSlots(d.HeaderType)
	if n == 0 {
		return nil
	}
	cmd := d.Read16(RegCommand)
	if on := cmd & (CmdIO | CmdMemory); on != 0 && !d.isHostBridge() {
		d.Write16(RegCommand, cmd&^on)
		defer d.Write16(RegCommand, cmd)
	}
	var bars []BAR
	for i := 0; i < n; i++ {
		off := uint8(RegBAR0 + 4*i)
		orig, mask := probeBAR(d, off)
		b := BAR{Index: i}
		switch {
		case orig&barIO != 0:
			b.Kind, b.Addr = IO, uint64(orig&^barIOFlags)
			// Devices decoding 16-bit port addresses may hardwire the
			// upper half to zero; the lowest writable bit still gives
			// the size.
			b.Size = lowestBit(uint64(mask &^ barIOFlags))
		case orig&barMemType == barMemType64:
			if i+1 == n {
				continue // malformed: no slot for the upper half
			}
			hi, hiMask := probeBAR(d, off+4)
			i++
			b.Kind = Memory64
			b.Addr = uint64(hi)<<32 | uint64(orig&^barMemoryFlags)
			b.Size = lowestBit(uint64(hiMask)<<32 | uint64(mask&^barMemoryFlags))
		case orig&barMemType == barMemType32, orig&barMemType == barMemTypeLow:
			b.Kind, b.Addr = Memory32, uint64(orig&^barMemoryFlags)
			b.Size = lowestBit(uint64(mask &^ barMemoryFlags))
		default:
			continue // type 11 is reserved
		}
		if b.Size == 0 {
			continue // unimplemented: no address bit is writable
		}
		b.Prefetchable = b.Kind != IO && orig&barPrefetch != 0
		bars = append(bars, b)
	}
	return bars
}

// probeBAR returns the BAR register at off and what it reads after all
// ones are written to it, and puts the original value back.
func probeBAR(d Device, off uint8) (orig, mask uint32) {
	orig = d.Read32(off)
	d.Write32(off, ^uint32(0))
	mask = d.Read32(off)
	d.Write32(off, orig)
	return orig, mask
}

func lowestBit(v uint64) uint64 { return v & -v }

func (d Device) isHostBridge() bool { return d.Class == 0x06 && d.Subclass == 0x00 }
