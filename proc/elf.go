package proc

import (
	"bytes"
	"cmp"
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"

	"golang.org/x/sys/unix"
)

// An Executable is a static x86-64 Linux executable, checked and placed:
// every address is where it is in the process.
type Executable struct {
	Entry     uint64
	Segments  []Segment // the PT_LOAD segments, in address order, disjoint
	Phdr      uint64    // address of the program headers, 0 if no segment loads them (as Linux)
	Phnum     uint64
	ExecStack bool   // PT_GNU_STACK asks for an executable stack
	Brk       uint64 // the page-aligned end of the highest segment
}

// A Segment is memory the executable is loaded into.
type Segment struct {
	Addr uint64
	Size uint64 // in memory; beyond len(Data) it is zero (.bss)
	Data []byte // the bytes from the file
	Prot int    // PROT_READ, PROT_WRITE, PROT_EXEC
}

// end is the address just past the segment.
func (s Segment) end() uint64 { return s.Addr + s.Size }

// phentSize is sizeof(Elf64_Phdr), which Linux requires e_phentsize to be.
const phentSize = 56

// Parse checks that exe is a static x86-64 Linux executable that fits in a
// process's address space and says where it goes. Malformed input gives an
// error, never a panic.
func Parse(exe []byte) (x *Executable, err error) {
	// debug/elf is meant to return errors on bad input; a panic it still
	// has is turned into one too.
	defer func() {
		if r := recover(); r != nil {
			x, err = nil, fmt.Errorf("malformed ELF file: %v", r)
		}
	}()
	// The class and byte order come first: a header read with the wrong
	// ones would give a less helpful error.
	switch {
	case len(exe) < elf.EI_NIDENT || string(exe[:4]) != elf.ELFMAG:
		return nil, errors.New("not an ELF file")
	case elf.Class(exe[elf.EI_CLASS]) != elf.ELFCLASS64:
		return nil, fmt.Errorf("%v file: Warren runs 64-bit x86-64 executables", elf.Class(exe[elf.EI_CLASS]))
	case elf.Data(exe[elf.EI_DATA]) != elf.ELFDATA2LSB:
		return nil, fmt.Errorf("%v file: Warren runs little-endian x86-64 executables", elf.Data(exe[elf.EI_DATA]))
	}
	f, err := elf.NewFile(bytes.NewReader(exe))
	if err != nil {
		return nil, fmt.Errorf("malformed ELF file: %w", err)
	}
	switch {
	case f.Machine != elf.EM_X86_64:
		return nil, fmt.Errorf("machine %v: Warren runs x86-64 executables", f.Machine)
	case f.Type != elf.ET_EXEC && f.Type != elf.ET_DYN:
		return nil, fmt.Errorf("ELF type %v: not an executable", f.Type)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return nil, fmt.Errorf("dynamically linked (interpreter %s): Warren runs static executables only", interpreter(p))
		}
	}
	var hdr elf.Header64
	if _, err := binary.Decode(exe, binary.LittleEndian, &hdr); err != nil {
		return nil, fmt.Errorf("reading the ELF header: %w", err)
	}
	if len(f.Progs) > 0 && hdr.Phentsize != phentSize {
		return nil, fmt.Errorf("program header size %d, want %d", hdr.Phentsize, phentSize)
	}

	var bias uint64 // what is added to the file's addresses
	if f.Type == elf.ET_DYN {
		bias = PIEBase
	}
	x = &Executable{Phnum: uint64(len(f.Progs))}
	phdr, hasPhdr := uint64(0), false
	for i, p := range f.Progs {
		switch p.Type {
		case elf.PT_LOAD:
			s, err := segment(exe, p, bias)
			if err != nil {
				return nil, fmt.Errorf("program header %d (PT_LOAD): %w", i, err)
			}
			if s.Size > 0 {
				x.Segments = append(x.Segments, s)
			}
		case elf.PT_GNU_STACK:
			x.ExecStack = p.Flags&elf.PF_X != 0
		case elf.PT_PHDR:
			phdr, hasPhdr = p.Vaddr+bias, true
		}
	}
	if len(x.Segments) == 0 {
		return nil, errors.New("no loadable segment (PT_LOAD)")
	}
	slices.SortFunc(x.Segments, func(a, b Segment) int { return cmp.Compare(a.Addr, b.Addr) })
	for i := 1; i < len(x.Segments); i++ {
		if a, b := x.Segments[i-1], x.Segments[i]; b.Addr < a.end() {
			return nil, fmt.Errorf("segments [%#x, %#x) and [%#x, %#x) overlap", a.Addr, a.end(), b.Addr, b.end())
		}
	}
	x.Brk = pageUp(x.Segments[len(x.Segments)-1].end())

	x.Entry = hdr.Entry + bias
	if !x.executable(x.Entry) {
		return nil, fmt.Errorf("entry point %#x is not in an executable segment", hdr.Entry)
	}
	if !hasPhdr {
		phdr = loadedAt(f.Progs, hdr.Phoff, x.Phnum*phentSize, bias)
	}
	x.Phdr = phdr
	return x, nil
}

// interpreter returns the path a PT_INTERP segment names, for the error.
func interpreter(p *elf.Prog) string {
	b, _ := io.ReadAll(io.LimitReader(p.Open(), 256))
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}

// segment checks a PT_LOAD program header and places it.
func segment(exe []byte, p *elf.Prog, bias uint64) (Segment, error) {
	switch {
	case p.Filesz > p.Memsz:
		return Segment{}, fmt.Errorf("file size %#x exceeds memory size %#x", p.Filesz, p.Memsz)
	case p.Off > uint64(len(exe)) || p.Filesz > uint64(len(exe))-p.Off:
		return Segment{}, fmt.Errorf("file bytes [%#x, +%#x) lie outside the file (%d bytes)", p.Off, p.Filesz, len(exe))
	case p.Vaddr%PageSize != p.Off%PageSize:
		return Segment{}, fmt.Errorf("address %#x and file offset %#x differ modulo the page size", p.Vaddr, p.Off)
	}
	addr := p.Vaddr + bias
	if addr < p.Vaddr || addr+p.Memsz < addr {
		return Segment{}, fmt.Errorf("[%#x, +%#x) wraps around the address space", p.Vaddr, p.Memsz)
	}
	if addr < LoadBottom || addr+p.Memsz > LoadTop {
		return Segment{}, fmt.Errorf("[%#x, %#x) lies outside [%#x, %#x), where programs are loaded", addr, addr+p.Memsz, uint64(LoadBottom), uint64(LoadTop))
	}
	return Segment{
		Addr: addr,
		Size: p.Memsz,
		Data: exe[p.Off : p.Off+p.Filesz],
		Prot: protection(p.Flags),
	}, nil
}

// protection turns segment flags into PROT_* bits.
func protection(f elf.ProgFlag) int {
	prot := 0
	if f&elf.PF_R != 0 {
		prot |= unix.PROT_READ
	}
	if f&elf.PF_W != 0 {
		prot |= unix.PROT_WRITE
	}
	if f&elf.PF_X != 0 {
		prot |= unix.PROT_EXEC
	}
	return prot
}

// executable reports whether addr is in an executable segment.
func (x *Executable) executable(addr uint64) bool {
	for _, s := range x.Segments {
		if s.Addr <= addr && addr < s.end() {
			return s.Prot&unix.PROT_EXEC != 0
		}
	}
	return false
}

// loadedAt returns the address the file bytes [off, off+n) are loaded at,
// or 0 if no PT_LOAD segment holds them all.
func loadedAt(progs []*elf.Prog, off, n, bias uint64) uint64 {
	for _, p := range progs {
		if p.Type == elf.PT_LOAD && p.Off <= off && n <= p.Filesz && off-p.Off <= p.Filesz-n {
			return p.Vaddr + bias + off - p.Off
		}
	}
	return 0
}
