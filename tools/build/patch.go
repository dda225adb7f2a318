package build

import (
	"bytes"
	"cmp"
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"warren.dev/boot/multiboot"
)

// Names of the symbols the patcher looks up. The header (Multiboot header,
// PVH entry and note) comes from boot/goarch_multiboot.asm, added to
// internal/goarch by the overlay; the 64-bit entry is the kernel's.
const (
	HeaderSymbol = "internal/goarch.warrenMultiboot"
	EntrySymbol  = "warren.dev/kernel.start64"
)

// Multiboot v1 header facts (Multiboot Specification 0.6.96, §3.1).
const (
	multibootMagic  = multiboot.HeaderMagic
	multibootSearch = multiboot.HeaderSearch
	headerFieldsEnd = multiboot.HeaderFieldsEnd
	pageSize        = 4096
	bootTablePages  = 3 // PML4, PDPT, PD zeroed by the 32-bit entry
)

// Offsets in the header, as laid out in boot/goarch_multiboot.asm.
const (
	offHeaderAddr  = 0x0c
	offLoadAddr    = 0x10
	offLoadEndAddr = 0x14
	offBSSEndAddr  = 0x18
	offEntryAddr   = 0x1c
	offEntry64     = 0x20 // far pointer offset
	offGDTBase     = 0x2a // GDTR base (limit at 0x28)
	offGDT         = 0x30
	offPageTables  = 0x48
	offTailStart   = 0x4c // start of the bss tail the kernel backs on demand
	offEntry32     = 0x60
	offEntryImm    = 0x61 // imm32 of `mov ebp, H`
	offPVHEntry    = 0xec
	offPVHImm      = 0xed // imm32 of the PVH entry's `mov ebp, H`
	offNote        = 0x100
	offNoteDesc    = 0x110 // the note's descriptor: the PVH entry address
	noteSize       = 0x18
	headerMinSize  = offNote + noteSize
)

// HeaderFields are the values Patch writes into the header.
type HeaderFields struct {
	HeaderAddr, LoadAddr, LoadEndAddr, BSSEndAddr, EntryAddr uint32
	Entry64, GDTBase, PageTables, EntryImm, TailStart        uint32
	PVHEntry                                                 uint32 // the Xen note's address
}

// HeaderPlace says where the active multiboot header is in the file.
type HeaderPlace struct {
	Offset    int  // file offset of the header the loader uses
	SymOffset int  // file offset of the HeaderSymbol itself
	Size      int  // the symbol's size
	Copied    bool // the header is a copy placed after the ELF headers
}

// Patch fills the address fields of the multiboot header of the linked
// image at path (the Go assembler cannot emit absolute addresses) and
// points its PT_NOTE program header at the PVH note.
func Patch(path string) (HeaderFields, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return HeaderFields{}, err
	}
	f, err := PatchImage(data)
	if err != nil {
		return f, fmt.Errorf("%s: %w", path, err)
	}
	return f, os.WriteFile(path, data, 0o755)
}

// PatchImage patches the image in data in place.
//
// The linker lays out runtime dependencies in a depth-first order that
// depends on the program: internal/goarch usually comes first in .text
// (file offset 0x1000), but in some programs (test binaries among them)
// another leaf package precedes it and the header lands beyond the 8 KiB
// that loaders search. The header and its 32-bit code are position
// independent (everything is relative to H, which is patched), so then a
// copy goes into the zero gap between the ELF section headers and the first
// section, inside the first PT_LOAD. Both copies get the same fields; the
// kernel learns H from EBP at start64.
func PatchImage(data []byte) (HeaderFields, error) {
	place, f, err := Layout(data)
	if err != nil {
		return f, err
	}
	sym := data[place.SymOffset : place.SymOffset+place.Size]
	if place.Copied {
		copy(data[place.Offset:], sym)
	}
	writeFields(data[place.Offset:], f)
	writeFields(sym, f)
	if err := pointNote(data, uint64(place.Offset+offNote), uint64(f.HeaderAddr)+offNote); err != nil {
		return f, err
	}
	// A loader takes the first valid header: it must be ours.
	if off, err := findHeader(data); err != nil {
		return f, err
	} else if off != place.Offset {
		return f, fmt.Errorf("another multiboot header at file offset %#x precedes %s", off, HeaderSymbol)
	}
	return f, nil
}

// Layout finds where the multiboot header goes in an ELF image and
// computes its fields, without changing data.
func Layout(data []byte) (HeaderPlace, HeaderFields, error) {
	var (
		place HeaderPlace
		f     HeaderFields
	)
	ef, err := elf.NewFile(bytes.NewReader(data))
	if err != nil {
		return place, f, fmt.Errorf("not an ELF image: %w", err)
	}
	defer ef.Close()
	if ef.Class != elf.ELFCLASS64 || ef.Machine != elf.EM_X86_64 {
		return place, f, errors.New("not an x86-64 ELF image")
	}
	loads, err := flatLoads(ef)
	if err != nil {
		return place, f, err
	}

	hdr, err := symbol(ef, HeaderSymbol)
	if err != nil {
		return place, f, err
	}
	if hdr.Size < headerMinSize {
		return place, f, fmt.Errorf("%s is %d bytes, want at least %d", HeaderSymbol, hdr.Size, headerMinSize)
	}
	place.Size = int(hdr.Size)
	place.SymOffset = int(hdr.Value - loads.delta)
	if !loads.fileBacked(uint64(place.SymOffset), hdr.Size) {
		return place, f, fmt.Errorf("%s is not in the file-backed part of a PT_LOAD", HeaderSymbol)
	}
	if sym := data[place.SymOffset:]; binary.LittleEndian.Uint32(sym) != multibootMagic {
		return place, f, fmt.Errorf("%s does not start with the multiboot magic", HeaderSymbol)
	}
	if place.SymOffset%4 != 0 {
		return place, f, fmt.Errorf("%s at file offset %#x is not 4-byte aligned", HeaderSymbol, place.SymOffset)
	}
	place.Offset = place.SymOffset
	if place.Offset+headerFieldsEnd > multibootSearch {
		if place.Offset, err = headerGap(ef, data, place.Size); err != nil {
			return place, f, err
		}
		if !loads.fileBacked(uint64(place.Offset), hdr.Size) {
			return place, f, errors.New("the gap after the ELF headers is not loaded")
		}
		place.Copied = true
	}
	h := uint64(place.Offset) + loads.delta

	entry, err := symbol(ef, EntrySymbol)
	if err != nil {
		return place, f, err
	}
	tail := bssTail(ef, loads)
	tables := tail
	bssEnd := tables + bootTablePages*pageSize
	if bssEnd > 1<<32 || entry.Value >= 1<<32 {
		return place, f, fmt.Errorf("image does not fit below 4 GiB (ends at %#x, %s at %#x)", bssEnd, EntrySymbol, entry.Value)
	}
	f = HeaderFields{
		HeaderAddr:  uint32(h),
		LoadAddr:    uint32(loads.lo),
		LoadEndAddr: uint32(loads.fileEnd),
		BSSEndAddr:  uint32(bssEnd),
		EntryAddr:   uint32(h + offEntry32),
		Entry64:     uint32(entry.Value),
		GDTBase:     uint32(h + offGDT),
		PageTables:  uint32(tables),
		EntryImm:    uint32(h),
		TailStart:   uint32(tail),
		PVHEntry:    uint32(h + offPVHEntry),
	}
	return place, f, nil
}

// tailThreshold is the size from which a zero-initialised variable is left
// out of the memory the boot loader reserves.
const tailThreshold = 1 << 20

// bssTail returns the page where the image's large zero-initialised
// variables begin: the linker orders each bss section by size, so they end
// the image. The boot loader reserves and zeroes memory only up to there
// (Go expects untouched bss to cost nothing, and crypto alone has a 32 MiB
// buffer); the kernel backs the tail page by page on first touch. Without
// such variables it is the page after the image. Warren's own variables
// never join the tail: the kernel uses its tables inside traps, where a
// fault on a page not yet backed is fatal, so the tail starts after the
// last of them.
func bssTail(ef *elf.File, loads loadRange) uint64 {
	end := alignUp(loads.memEnd, pageSize)
	syms, err := ef.Symbols()
	if err != nil {
		return end
	}
	var bss []elf.Symbol
	for _, s := range syms {
		if s.Value >= loads.fileEnd && s.Value < loads.memEnd && elf.ST_TYPE(s.Info) == elf.STT_OBJECT {
			bss = append(bss, s)
		}
	}
	slices.SortFunc(bss, func(a, b elf.Symbol) int { return cmp.Compare(a.Value, b.Value) })
	start := loads.memEnd
	for i := len(bss) - 1; i >= 0; i-- {
		if bss[i].Size == 0 {
			continue
		}
		if bss[i].Size < tailThreshold || strings.HasPrefix(bss[i].Name, "warren.dev/") {
			break
		}
		start = bss[i].Value
	}
	return min(alignUp(start, pageSize), end)
}

// loadRange summarises the PT_LOAD segments of a flat image.
type loadRange struct {
	delta           uint64 // vaddr − file offset, the same for all
	lo              uint64 // lowest vaddr
	fileEnd, memEnd uint64 // highest vaddr+filesz, vaddr+memsz
	progs           []*elf.Prog
}

// flatLoads checks that every PT_LOAD has the same vaddr−offset delta, so
// the file from the first PT_LOAD on loads as one block (the a.out kludge
// gives a loader one range, not segments).
func flatLoads(ef *elf.File) (loadRange, error) {
	var r loadRange
	for _, p := range ef.Progs {
		if p.Type != elf.PT_LOAD {
			continue
		}
		d := p.Vaddr - p.Off
		if r.progs == nil {
			r.delta, r.lo = d, p.Vaddr
		} else if d != r.delta {
			return r, fmt.Errorf("PT_LOAD at %#x has vaddr-offset %#x, the first %#x: the image cannot load as one block", p.Vaddr, d, r.delta)
		}
		r.lo = min(r.lo, p.Vaddr)
		r.fileEnd = max(r.fileEnd, p.Vaddr+p.Filesz)
		r.memEnd = max(r.memEnd, p.Vaddr+p.Memsz)
		r.progs = append(r.progs, p)
	}
	if r.progs == nil {
		return r, errors.New("no PT_LOAD segments")
	}
	return r, nil
}

// fileBacked reports whether file range [off, off+n) is loaded from the
// file by some PT_LOAD.
func (r loadRange) fileBacked(off, n uint64) bool {
	for _, p := range r.progs {
		if off >= p.Off && off+n <= p.Off+p.Filesz {
			return true
		}
	}
	return false
}

// headerGap returns a 16-byte-aligned file offset for an n-byte header
// copy between the ELF, program and section header tables and the first
// section's data. The gap must be zero, or hold a header copy already.
func headerGap(ef *elf.File, data []byte, n int) (int, error) {
	le := binary.LittleEndian
	phoff, shoff := le.Uint64(data[0x20:]), le.Uint64(data[0x28:])
	phentsize, phnum := le.Uint16(data[0x36:]), le.Uint16(data[0x38:])
	shentsize, shnum := le.Uint16(data[0x3a:]), le.Uint16(data[0x3c:])
	used := max(uint64(64), phoff+uint64(phentsize)*uint64(phnum))
	if shoff < multibootSearch {
		used = max(used, shoff+uint64(shentsize)*uint64(shnum))
	}
	next := uint64(len(data))
	for _, s := range ef.Sections {
		if s.Type != elf.SHT_NULL && s.Type != elf.SHT_NOBITS && s.Size > 0 && s.Offset >= used {
			next = min(next, s.Offset)
		}
	}
	off := alignUp(used, 16)
	if off+uint64(n) > next || off+headerFieldsEnd > multibootSearch {
		return 0, fmt.Errorf("%s lies beyond the first %d bytes and there is no room for a copy after the ELF headers (%#x..%#x)", HeaderSymbol, multibootSearch, used, next)
	}
	gap := data[off : off+uint64(n)]
	if !bytes.Equal(gap, make([]byte, n)) && le.Uint32(gap) != multibootMagic {
		return 0, fmt.Errorf("the gap after the ELF headers at %#x is not free", off)
	}
	return int(off), nil
}

// findHeader finds the header a loader takes, as an error if none.
func findHeader(data []byte) (int, error) {
	if off, ok := multiboot.FindHeader(data); ok {
		return off, nil
	}
	return 0, fmt.Errorf("no multiboot header in the first %d bytes", multibootSearch)
}

// symbol finds a symbol, accepting the linker's ".abi0" suffix for
// assembly functions that also have a Go ABI wrapper.
func symbol(ef *elf.File, name string) (elf.Symbol, error) {
	syms, err := ef.Symbols()
	if err != nil {
		return elf.Symbol{}, fmt.Errorf("reading the symbol table (was the image stripped?): %w", err)
	}
	for _, s := range syms {
		if s.Name == name || s.Name == name+".abi0" {
			return s, nil
		}
	}
	return elf.Symbol{}, fmt.Errorf("symbol %s not found in the image (is the kernel linked, and does it reference the header?)", name)
}

func writeFields(h []byte, f HeaderFields) {
	le := binary.LittleEndian
	le.PutUint32(h[offHeaderAddr:], f.HeaderAddr)
	le.PutUint32(h[offLoadAddr:], f.LoadAddr)
	le.PutUint32(h[offLoadEndAddr:], f.LoadEndAddr)
	le.PutUint32(h[offBSSEndAddr:], f.BSSEndAddr)
	le.PutUint32(h[offEntryAddr:], f.EntryAddr)
	le.PutUint32(h[offEntry64:], f.Entry64)
	le.PutUint32(h[offGDTBase:], f.GDTBase)
	le.PutUint32(h[offPageTables:], f.PageTables)
	le.PutUint32(h[offEntryImm:], f.EntryImm)
	le.PutUint32(h[offTailStart:], f.TailStart)
	le.PutUint32(h[offPVHImm:], f.EntryImm)
	le.PutUint64(h[offNoteDesc:], uint64(f.PVHEntry))
}

// pointNote makes the image's PT_NOTE program headers describe the Xen
// note at file offset off, address addr, so PVH loaders find the entry.
// The Go linker writes one PT_NOTE, for its build ID (which stays in its
// section); it is taken over rather than a program header added, since the
// section headers follow the program headers. The segment must hold the
// Xen note alone: QEMU 7.2's note walker reads past a segment whose first
// note is not the one it looks for.
func pointNote(data []byte, off, addr uint64) error {
	le := binary.LittleEndian
	phoff, phentsize, phnum := le.Uint64(data[0x20:]), uint64(le.Uint16(data[0x36:])), uint64(le.Uint16(data[0x38:]))
	found := false
	for i := range phnum {
		ph := data[phoff+i*phentsize:]
		if elf.ProgType(le.Uint32(ph)) != elf.PT_NOTE {
			continue
		}
		le.PutUint32(ph[4:], uint32(elf.PF_R))
		le.PutUint64(ph[8:], off)
		le.PutUint64(ph[16:], addr)     // p_vaddr
		le.PutUint64(ph[24:], addr)     // p_paddr
		le.PutUint64(ph[32:], noteSize) // p_filesz
		le.PutUint64(ph[40:], noteSize) // p_memsz
		le.PutUint64(ph[48:], 4)        // p_align
		found = true
	}
	if !found {
		return errors.New("the image has no PT_NOTE program header to carry the PVH note")
	}
	return nil
}

func alignUp(v, a uint64) uint64 { return (v + a - 1) &^ (a - 1) }
