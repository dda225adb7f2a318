package pagetable

// Flags are page-table entry bits (Intel SDM Vol. 3A §4.5, tables 4-15 to
// 4-20).
type Flags uint64

// Hardware bits.
const (
	Present      Flags = 1 << 0
	Writable     Flags = 1 << 1
	User         Flags = 1 << 2
	WriteThrough Flags = 1 << 3 // PWT
	CacheDisable Flags = 1 << 4 // PCD
	Accessed     Flags = 1 << 5
	Dirty        Flags = 1 << 6
	Huge         Flags = 1 << 7 // PS: the entry maps a 2 MiB or 1 GiB page
	Global       Flags = 1 << 8
	NoExecute    Flags = 1 << 63 // XD; needs EFER.NXE
)

// Available are bits 9-11, which the CPU ignores and software may use.
const Available Flags = 7 << 9

// Page sizes.
const (
	Size4K = 1 << 12
	Size2M = 1 << 21
	Size1G = 1 << 30
)

const (
	// leafFlags are the bits a caller may set on a leaf. Huge follows from
	// the size and the PAT bits are left as they are.
	leafFlags = Present | Writable | User | WriteThrough | CacheDisable |
		Accessed | Dirty | Global | Available | NoExecute
	// tableFlags leave every permission to the leaf.
	tableFlags = uint64(Present | Writable | User)

	addrMask = 0x000f_ffff_ffff_f000 // bits 12-51
	maxPhys  = 1 << 52
	patSmall = 1 << 7  // PAT in a 4 KiB entry
	patHuge  = 1 << 12 // PAT in a 2 MiB or 1 GiB entry
)

// leafSize is the span of one entry of a table at level (0 = PT ... 3 = PML4).
func leafSize(level int) uint64 { return 1 << (12 + 9*level) }

// isLeaf reports whether entry e of a level-level table maps a page.
func isLeaf(e uint64, level int) bool {
	return level == 0 || (level < 3 && e&uint64(Huge) != 0)
}

// leafAddr is the physical address a leaf at level maps.
func leafAddr(e uint64, level int) uint64 { return e & addrMask &^ (leafSize(level) - 1) }

// leafFlagsOf is the flags Lookup reports for leaf e.
func leafFlagsOf(e uint64, level int) Flags {
	f := Flags(e) & leafFlags
	if level > 0 {
		f |= Huge
	}
	return f
}

// setLeafFlags replaces the settable bits of leaf e.
func setLeafFlags(e uint64, f Flags) uint64 {
	return e&^uint64(leafFlags) | uint64(f&leafFlags|Present)
}
