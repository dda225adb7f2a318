package multiboot

import "encoding/binary"

// RegionType is the type of a memory map entry, as in the BIOS E820 map.
type RegionType uint32

// Region types named as in the Multiboot specification.
const (
	Available       RegionType = 1
	Reserved        RegionType = 2
	ACPIReclaimable RegionType = 3
	NVS             RegionType = 4
	BadRAM          RegionType = 5
)

// String names t for boot messages.
func (t RegionType) String() string {
	switch t {
	case Available:
		return "available"
	case Reserved:
		return "reserved"
	case ACPIReclaimable:
		return "ACPI reclaimable"
	case NVS:
		return "ACPI NVS"
	case BadRAM:
		return "bad RAM"
	}
	return "unknown"
}

// Region is one memory map entry: Length bytes from Base.
type Region struct {
	Base, Length uint64
	Type         RegionType
}

// End is the first address past the region, saturated at 2^64-1 for
// entries that would wrap.
func (r Region) End() uint64 {
	if e := r.Base + r.Length; e >= r.Base {
		return e
	}
	return ^uint64(0)
}

// mmapEntryMin is the smallest entry the specification allows after the
// size field: base u64, length u64, type u32. Larger entries (ACPI 3.0
// attributes) carry fields this package ignores.
const mmapEntryMin = 20

// parseMmap walks the memory map: each entry is a u32 size and then size
// bytes, so entries are size+4 bytes apart. The entries must tile length
// exactly; a size below 20 (including the zero that would never advance)
// or an entry past the end is an error.
func parseMmap(mem Memory, length, addr uint32, info *Info) error {
	if length > maxMmap {
		return ErrMmapTooLong
	}
	b, ok := View(mem, uint64(addr), uint64(length))
	if !ok {
		return ErrMmapRange
	}
	for off := 0; off < len(b); {
		if len(b)-off < 4 {
			return ErrMmapTruncated
		}
		size := int(binary.LittleEndian.Uint32(b[off:]))
		if size < mmapEntryMin {
			return ErrMmapEntryShort
		}
		e := b[off+4:]
		if size > len(e) {
			return ErrMmapTruncated
		}
		info.AddRegion(Region{
			Base:   binary.LittleEndian.Uint64(e[0:]),
			Length: binary.LittleEndian.Uint64(e[8:]),
			Type:   RegionType(binary.LittleEndian.Uint32(e[16:])),
		})
		off += 4 + size
	}
	return nil
}
