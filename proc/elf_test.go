package proc

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"strings"
	"testing"
)

// testELF describes a synthetic executable: program headers at offset 64,
// then file bytes with a recognisable pattern up to size.
type testELF struct {
	typ   elf.Type
	entry uint64
	progs []elf.Prog64
	size  int
}

func (t testELF) bytes() []byte {
	b := make([]byte, t.size)
	for i := range b {
		b[i] = byte(i*7 + 1)
	}
	hdr := elf.Header64{
		Type: uint16(t.typ), Machine: uint16(elf.EM_X86_64), Version: uint32(elf.EV_CURRENT),
		Entry: t.entry, Phoff: 64, Ehsize: 64, Phentsize: phentSize, Phnum: uint16(len(t.progs)),
	}
	copy(hdr.Ident[:], elf.ELFMAG)
	hdr.Ident[elf.EI_CLASS] = byte(elf.ELFCLASS64)
	hdr.Ident[elf.EI_DATA] = byte(elf.ELFDATA2LSB)
	hdr.Ident[elf.EI_VERSION] = byte(elf.EV_CURRENT)
	var w bytes.Buffer
	binary.Write(&w, binary.LittleEndian, hdr)
	for _, p := range t.progs {
		binary.Write(&w, binary.LittleEndian, p)
	}
	copy(b, w.Bytes())
	return b
}

func load(typ elf.ProgType, flags elf.ProgFlag, off, vaddr, filesz, memsz uint64) elf.Prog64 {
	return elf.Prog64{Type: uint32(typ), Flags: uint32(flags), Off: off, Vaddr: vaddr, Paddr: vaddr, Filesz: filesz, Memsz: memsz, Align: PageSize}
}

// sharedPage is an executable whose text and data share the page 0x401000.
func sharedPage() testELF {
	return testELF{
		typ:   elf.ET_EXEC,
		entry: 0x401010,
		progs: []elf.Prog64{
			load(elf.PT_LOAD, elf.PF_R, 0, 0x400000, 0x200, 0x200),
			load(elf.PT_LOAD, elf.PF_R|elf.PF_X, 0x1000, 0x401000, 0x100, 0x100),
			load(elf.PT_LOAD, elf.PF_R|elf.PF_W, 0x1100, 0x401100, 0x80, 0x3000),
			{Type: uint32(elf.PT_GNU_STACK), Flags: uint32(elf.PF_R | elf.PF_W)},
		},
		size: 0x1180,
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*testELF, []byte) []byte
		want   string
	}{
		{"not ELF", func(_ *testELF, _ []byte) []byte { return []byte("#!/bin/sh\necho hi\n") }, "not an ELF file"},
		{"empty", func(_ *testELF, _ []byte) []byte { return nil }, "not an ELF file"},
		{"32-bit", func(_ *testELF, b []byte) []byte { b[elf.EI_CLASS] = byte(elf.ELFCLASS32); return b }, "ELFCLASS32 file: Warren runs 64-bit x86-64 executables"},
		{"big-endian", func(_ *testELF, b []byte) []byte { b[elf.EI_DATA] = byte(elf.ELFDATA2MSB); return b }, "ELFDATA2MSB file: Warren runs little-endian"},
		{"truncated header", func(_ *testELF, b []byte) []byte { return b[:40] }, "malformed ELF file"},
		{"machine", func(_ *testELF, b []byte) []byte { b[18] = byte(elf.EM_AARCH64); return b }, "machine EM_AARCH64"},
		{"relocatable", func(_ *testELF, b []byte) []byte { b[16] = byte(elf.ET_REL); return b }, "ELF type ET_REL: not an executable"},
		{"phentsize", func(_ *testELF, b []byte) []byte { b[54] = 64; return b }, "program header size 64, want 56"},
		{"interpreter", func(e *testELF, _ []byte) []byte {
			e.progs = append(e.progs, load(elf.PT_INTERP, elf.PF_R, 0x1000, 0x401000, 0x10, 0x10))
			b := e.bytes()
			copy(b[0x1000:], "/lib/ld.so\x00")
			return b
		}, "dynamically linked (interpreter /lib/ld.so): Warren runs static executables only"},
		{"filesz > memsz", func(e *testELF, _ []byte) []byte { e.progs[1].Filesz = 0x101; return e.bytes() }, "program header 1 (PT_LOAD): file size 0x101 exceeds memory size 0x100"},
		{"outside the file", func(e *testELF, _ []byte) []byte { e.progs[2].Filesz = 0x81; e.progs[2].Memsz = 0x81; return e.bytes() }, "program header 2 (PT_LOAD): file bytes [0x1100, +0x81) lie outside the file (4480 bytes)"},
		{"offset beyond the file", func(e *testELF, _ []byte) []byte { e.progs[2].Off = 1 << 63; return e.bytes() }, "invalid program header offset"},
		{"misaligned", func(e *testELF, _ []byte) []byte { e.progs[1].Vaddr = 0x401008; return e.bytes() }, "address 0x401008 and file offset 0x1000 differ modulo the page size"},
		{"wraps", func(e *testELF, _ []byte) []byte {
			e.progs[2].Vaddr, e.progs[2].Memsz = 0xffff_ffff_ffff_f100, 0x2000
			return e.bytes()
		}, "wraps around the address space"},
		{"below user memory", func(e *testELF, _ []byte) []byte { e.progs[0].Vaddr = 0x1000; return e.bytes() }, "[0x1000, 0x1200) lies outside [0x10000, 0x3fffef800000)"},
		{"over the stack", func(e *testELF, _ []byte) []byte { e.progs[2].Memsz = LoadTop; return e.bytes() }, "lies outside [0x10000, 0x3fffef800000)"},
		{"overlap", func(e *testELF, _ []byte) []byte { e.progs[0].Memsz = 0x1001; return e.bytes() }, "segments [0x400000, 0x401001) and [0x401000, 0x401100) overlap"},
		{"no PT_LOAD", func(e *testELF, _ []byte) []byte { e.progs = e.progs[3:]; return e.bytes() }, "no loadable segment (PT_LOAD)"},
		{"entry in data", func(e *testELF, _ []byte) []byte { e.entry = 0x401100; return e.bytes() }, "entry point 0x401100 is not in an executable segment"},
		{"entry outside", func(e *testELF, _ []byte) []byte { e.entry = 0x900000; return e.bytes() }, "entry point 0x900000 is not in an executable segment"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := sharedPage()
			_, err := Parse(tc.change(&e, e.bytes()))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func TestParse(t *testing.T) {
	e := sharedPage()
	exe := e.bytes()
	x, err := Parse(exe)
	if err != nil {
		t.Fatal(err)
	}
	if x.Entry != 0x401010 || x.Phdr != 0x400040 || x.Phnum != 4 || x.ExecStack || x.Brk != 0x405000 {
		t.Errorf("entry %#x, phdr %#x, phnum %d, exec stack %v, brk %#x", x.Entry, x.Phdr, x.Phnum, x.ExecStack, x.Brk)
	}
	want := []Segment{
		{0x400000, 0x200, exe[:0x200], 1},
		{0x401000, 0x100, exe[0x1000:0x1100], 5},
		{0x401100, 0x3000, exe[0x1100:0x1180], 3},
	}
	if len(x.Segments) != len(want) {
		t.Fatalf("%d segments, want %d", len(x.Segments), len(want))
	}
	for i, s := range x.Segments {
		w := want[i]
		if s.Addr != w.Addr || s.Size != w.Size || s.Prot != w.Prot || !bytes.Equal(s.Data, w.Data) {
			t.Errorf("segment %d: at %#x size %#x prot %d, %d bytes; want %#x %#x %d, %d bytes", i, s.Addr, s.Size, s.Prot, len(s.Data), w.Addr, w.Size, w.Prot, len(w.Data))
		}
	}
}

func TestParseStaticPIE(t *testing.T) {
	e := sharedPage()
	e.typ = elf.ET_DYN
	for i := range e.progs {
		if e.progs[i].Type == uint32(elf.PT_LOAD) {
			e.progs[i].Vaddr -= 0x400000
		}
	}
	e.entry -= 0x400000
	// A PT_PHDR is taken at its word (plus the base).
	e.progs = append(e.progs, elf.Prog64{Type: uint32(elf.PT_PHDR), Vaddr: 0x40, Off: 0x40})
	x, err := Parse(e.bytes())
	if err != nil {
		t.Fatal(err)
	}
	if x.Entry != PIEBase+0x1010 || x.Phdr != PIEBase+0x40 || x.Segments[0].Addr != PIEBase || x.Brk != PIEBase+0x5000 {
		t.Errorf("entry %#x, phdr %#x, first segment %#x, brk %#x", x.Entry, x.Phdr, x.Segments[0].Addr, x.Brk)
	}
}

func TestParseExecStack(t *testing.T) {
	e := sharedPage()
	e.progs[3].Flags |= uint32(elf.PF_X)
	x, err := Parse(e.bytes())
	if err != nil {
		t.Fatal(err)
	}
	if !x.ExecStack {
		t.Error("PT_GNU_STACK with PF_X: no executable stack")
	}
}

func TestParseUnloadedHeaders(t *testing.T) {
	// The program headers are in no segment: AT_PHDR is 0, as on Linux.
	e := sharedPage()
	e.progs[0] = load(elf.PT_LOAD, elf.PF_R, 0x1000, 0x400000, 0x100, 0x100)
	x, err := Parse(e.bytes())
	if err != nil {
		t.Fatal(err)
	}
	if x.Phdr != 0 {
		t.Errorf("phdr %#x, want 0", x.Phdr)
	}
}
