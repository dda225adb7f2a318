// Package multiboot reads the Multiboot (version 0.6.96) information
// structure a boot loader such as GRUB or QEMU's -kernel hands to the kernel
// in EBX. Its Info is the kernel's one description of what the boot loader
// handed over, whatever the protocol: package boot/pvh fills it too.
//
// Parsing runs in kmain before the Go runtime exists, so nothing here
// allocates, panics or keeps state of its own: the caller provides the Info
// to fill and a Memory that views physical RAM.
package multiboot

// BootloaderMagic is the value a Multiboot boot loader leaves in EAX.
const BootloaderMagic = 0x2BADB002

// Memory gives views of physical memory. Bytes returns the n bytes at
// physical address addr, or false if any of them lies outside memory. On the
// machine it views identity-mapped RAM; tests use a fake.
type Memory interface {
	Bytes(addr, n uint64) ([]byte, bool)
}

// Flags of the information structure: each says which fields are valid.
const (
	FlagMem         = 1 << 0  // mem_lower, mem_upper
	FlagBootDevice  = 1 << 1  // boot_device
	FlagCmdline     = 1 << 2  // cmdline
	FlagModules     = 1 << 3  // mods_count, mods_addr
	FlagAoutSyms    = 1 << 4  // a.out symbol table (not parsed)
	FlagELFSections = 1 << 5  // ELF section headers (not parsed)
	FlagMmap        = 1 << 6  // mmap_length, mmap_addr
	FlagDrives      = 1 << 7  // drives (not parsed)
	FlagConfigTable = 1 << 8  // ROM configuration table (not parsed)
	FlagLoaderName  = 1 << 9  // boot_loader_name
	FlagAPMTable    = 1 << 10 // APM table (not parsed)
	FlagVBE         = 1 << 11 // VBE information (not parsed)
	FlagFramebuffer = 1 << 12 // framebuffer information (not parsed)
)

// Limits of what Parse records. They bound Info's size and the work done on
// a corrupt structure.
const (
	MaxRegions = 128 // memory map entries kept; the rest are counted
	MaxModules = 32  // modules; more is an error

	// MaxCmdline is the longest kernel command line, in bytes without its
	// NUL, as the boot loader passes it: QEMU's -kernel puts the image's
	// path and a space before the -append text, GRUB passes the words
	// after the image's path. It is the one limit: the kernel sizes its
	// copies of the command line by it and the warren tool checks against
	// it before booting.
	MaxCmdline = 8 << 10

	MaxString = 4 << 10 // bytes of another string (loader name, module string), without its NUL
	maxMmap   = 64 << 10
)

// Info is the parsed information structure. Byte slices view the boot
// loader's memory; they are not copies.
type Info struct {
	// Flags is the raw flags word; the fields below are zero unless their
	// flag is set.
	Flags uint32

	// MemLower and MemUpper are the KiB of RAM from 0 and from 1 MiB
	// (FlagMem).
	MemLower, MemUpper uint32

	// BootDevice is the raw BIOS boot device (FlagBootDevice).
	BootDevice uint32

	// Cmdline is the kernel command line without its NUL (FlagCmdline).
	Cmdline []byte

	// LoaderName is the boot loader's name without its NUL
	// (FlagLoaderName).
	LoaderName []byte

	// Regions[:NumRegions] is the memory map in the boot loader's order
	// (FlagMmap). DroppedRegions counts well-formed entries past
	// MaxRegions that did not fit and were left out.
	Regions        [MaxRegions]Region
	NumRegions     int
	DroppedRegions int

	// Modules[:NumModules] are the boot modules (FlagModules).
	Modules    [MaxModules]Module
	NumModules int

	// RSDP is the physical address of the ACPI RSDP, for the loaders that
	// give it (PVH); 0 when unknown.
	RSDP uint64
}

// AddRegion records a memory map entry in the loader's order; past
// MaxRegions it only counts it, in DroppedRegions.
//
// Context: kernel (no allocation, no pointer stores).
func (i *Info) AddRegion(r Region) {
	if i.NumRegions < MaxRegions {
		i.Regions[i.NumRegions] = r
		i.NumRegions++
	} else {
		i.DroppedRegions++
	}
}

// MemoryMap returns the recorded memory map entries.
func (i *Info) MemoryMap() []Region { return i.Regions[:i.NumRegions] }

// ModuleList returns the boot modules.
func (i *Info) ModuleList() []Module { return i.Modules[:i.NumModules] }

// Module is a boot module: a file the boot loader put in memory.
type Module struct {
	// Start and End bound the module in physical memory: [Start, End).
	Start, End uint64
	// Cmdline is the module's string without its NUL (often its path).
	Cmdline []byte
	// Data views the module's bytes.
	Data []byte
}
