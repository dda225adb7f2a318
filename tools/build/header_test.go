package build_test

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/u-root/u-root/pkg/boot/multiboot"
	"golang.org/x/arch/x86/x86asm"

	mb "warren.dev/boot/multiboot"
	"warren.dev/tools/build"
)

// readFields reads back the patched fields of a header.
func readFields(h []byte) build.HeaderFields {
	u := func(off int) uint32 { return binary.LittleEndian.Uint32(h[off:]) }
	return build.HeaderFields{
		HeaderAddr: u(0x0c), LoadAddr: u(0x10), LoadEndAddr: u(0x14), BSSEndAddr: u(0x18), EntryAddr: u(0x1c),
		Entry64: u(0x20), GDTBase: u(0x2a), PageTables: u(0x48), EntryImm: u(0x61), TailStart: u(0x4c),
		PVHEntry: u(0x110),
	}
}

// headerSize is the header through the Xen note's end.
const headerSize = 0x118

// images are the two header placements: in place (hello) and copied after
// the ELF headers (the strings test binary).
var images = []struct {
	name   string
	image  func(*testing.T) string
	copied bool
}{
	{"in-place", helloImage, false},
	{"copied", stringsTestImage, true},
}

// TestHeaderFields checks each patched field against the ELF file itself.
func TestHeaderFields(t *testing.T) {
	for _, im := range images {
		t.Run(im.name, func(t *testing.T) { checkHeaderFields(t, im.image(t), im.copied) })
	}
}

func checkHeaderFields(t *testing.T, image string, copied bool) {
	data, err := os.ReadFile(image)
	if err != nil {
		t.Fatal(err)
	}
	if err := multiboot.Probe(bytes.NewReader(data)); err != nil {
		t.Fatalf("u-root multiboot.Probe: %v", err)
	}
	ef, err := elf.NewFile(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	syms, _ := ef.Symbols()
	addr := map[string]uint64{}
	for _, s := range syms {
		addr[s.Name] = s.Value
	}
	sym := addr[build.HeaderSymbol]
	entry := addr[build.EntrySymbol+".abi0"] | addr[build.EntrySymbol]
	var lo, fileEnd, memEnd uint64 = ^uint64(0), 0, 0
	for _, p := range ef.Progs {
		if p.Type == elf.PT_LOAD {
			lo, fileEnd, memEnd = min(lo, p.Vaddr), max(fileEnd, p.Vaddr+p.Filesz), max(memEnd, p.Vaddr+p.Memsz)
		}
	}
	// The loader's view: the first valid header in the first 8 KiB.
	off := -1
	for o := 0; o < 8192-12; o += 4 {
		magic, flags, sum := binary.LittleEndian.Uint32(data[o:]), binary.LittleEndian.Uint32(data[o+4:]), binary.LittleEndian.Uint32(data[o+8:])
		if magic == 0x1BADB002 && magic+flags+sum == 0 {
			off = o
			break
		}
	}
	if off < 0 {
		t.Fatal("no header in the first 8 KiB")
	}
	h := lo + uint64(off) // the lowest PT_LOAD is at file offset 0
	// The boot page tables start the bss tail the loader does not reserve:
	// a page boundary inside the bss, or the page after the image.
	tables := uint64(binary.LittleEndian.Uint32(data[off+0x4c:]))
	if tables%4096 != 0 || tables < fileEnd&^4095 || tables > (memEnd+4095)&^4095 {
		t.Errorf("bss tail at %#x, outside the bss %#x-%#x", tables, fileEnd, memEnd)
	}
	symOff := int(sym - lo)
	if copied != (h != sym) {
		t.Errorf("header at %#x, %s at %#x: want copied=%v", h, build.HeaderSymbol, sym, copied)
	}
	if size := headerSize; !bytes.Equal(data[off:off+size], data[symOff:symOff+size]) {
		t.Errorf("the header at %#x differs from %s", off, build.HeaderSymbol)
	}
	want := build.HeaderFields{
		HeaderAddr:  uint32(h),
		LoadAddr:    uint32(lo),
		LoadEndAddr: uint32(fileEnd),
		BSSEndAddr:  uint32(tables + 3*4096),
		EntryAddr:   uint32(h + 0x60),
		Entry64:     uint32(entry),
		GDTBase:     uint32(h + 0x30),
		PageTables:  uint32(tables),
		EntryImm:    uint32(h),
		TailStart:   uint32(tables),
		PVHEntry:    uint32(h + 0xec),
	}
	if got := readFields(data[off:]); got != want {
		t.Errorf("header fields:\n got %+v\nwant %+v", got, want)
	}
	// The kernel's tables lie below the demand-backed tail: inside traps a
	// fault on a page not yet backed is fatal.
	for _, s := range syms {
		if strings.HasPrefix(s.Name, "warren.dev/") && s.Value >= uint64(want.TailStart) && s.Value < memEnd {
			t.Errorf("%s (%d bytes at %#x) lies in the demand-backed tail from %#x", s.Name, s.Size, s.Value, want.TailStart)
		}
	}
	if lo != 0x100000 || (!copied && h != 0x101000) {
		t.Errorf("header at %#x, image at %#x: want 0x101000, 0x100000 (-T 0x101000)", h, lo)
	}
	if sel := binary.LittleEndian.Uint16(data[off+0x24:]); sel != 8 {
		t.Errorf("far pointer selector %#x, want 8", sel)
	}
	if imm := binary.LittleEndian.Uint32(data[off+0xed:]); imm != uint32(h) {
		t.Errorf("PVH entry's mov ebp, %#x; want H = %#x", imm, h)
	}
	if hi := binary.LittleEndian.Uint32(data[off+0x114:]); hi != 0 {
		t.Errorf("the note's descriptor has %#x in its upper half", hi)
	}
}

// TestPVHNote reads the image's notes as a PVH loader does: one PT_NOTE
// segment holding the Xen PHYS32_ENTRY note alone (QEMU 7.2 stops at the
// first note of each segment, Firecracker and cloud-hypervisor walk them),
// whose address is the PVH entry inside the loaded, executable image.
func TestPVHNote(t *testing.T) {
	for _, im := range images {
		t.Run(im.name, func(t *testing.T) { checkPVHNote(t, im.image(t)) })
	}
}

func checkPVHNote(t *testing.T, image string) {
	data, err := os.ReadFile(image)
	if err != nil {
		t.Fatal(err)
	}
	ef, err := elf.NewFile(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	place, f, err := build.Layout(data)
	if err != nil {
		t.Fatal(err)
	}
	var notes []*elf.Prog
	for _, p := range ef.Progs {
		if p.Type == elf.PT_NOTE {
			notes = append(notes, p)
		}
	}
	if len(notes) != 1 {
		t.Fatalf("%d PT_NOTE program headers, want 1", len(notes))
	}
	p := notes[0]
	h := uint64(f.HeaderAddr)
	if p.Off != uint64(place.Offset)+0x100 || p.Vaddr != h+0x100 || p.Paddr != p.Vaddr ||
		p.Filesz != 24 || p.Memsz != 24 || p.Align != 4 || p.Flags != elf.PF_R {
		t.Errorf("PT_NOTE %+v; want the note at H+0x100 (H = %#x, file offset %#x)", p.ProgHeader, h, place.Offset)
	}
	note, err := io.ReadAll(p.Open())
	if err != nil {
		t.Fatal(err)
	}
	le := binary.LittleEndian
	namesz, descsz, typ := le.Uint32(note), le.Uint32(note[4:]), le.Uint32(note[8:])
	if namesz != 4 || descsz != 8 || typ != 18 || string(note[12:16]) != "Xen\x00" {
		t.Fatalf("note namesz %d, descsz %d, type %d, name %q; want 4, 8, 18 (XEN_ELFNOTE_PHYS32_ENTRY), \"Xen\\0\"", namesz, descsz, typ, note[12:16])
	}
	entry := le.Uint64(note[16:])
	if entry != h+0xec || entry != uint64(f.PVHEntry) {
		t.Errorf("PVH entry %#x, want H+0xec = %#x", entry, h+0xec)
	}
	// The loader loads PT_LOADs at their physical addresses: the entry
	// and the note must be in an executable, file-backed one.
	loaded := false
	for _, l := range ef.Progs {
		if l.Type == elf.PT_LOAD && l.Flags&elf.PF_X != 0 && entry >= l.Paddr && entry+0x14 <= l.Paddr+l.Filesz &&
			p.Paddr >= l.Paddr && p.Paddr+p.Filesz <= l.Paddr+l.Filesz && p.Paddr-l.Paddr == p.Off-l.Off {
			loaded = true
		}
	}
	if !loaded {
		t.Errorf("PVH entry %#x or the note at %#x is outside the executable PT_LOAD", entry, p.Paddr)
	}
	// The Go build ID the linker's PT_NOTE described stays in its section.
	if ef.Section(".note.go.buildid") == nil {
		t.Error("no .note.go.buildid section")
	}
}

// TestHideHeaders: the copy a PVH boot under QEMU gets has no header a
// Multiboot loader accepts, and differs from the image in checksums only.
func TestHideHeaders(t *testing.T) {
	for _, im := range images {
		t.Run(im.name, func(t *testing.T) {
			data, err := os.ReadFile(im.image(t))
			if err != nil {
				t.Fatal(err)
			}
			place, _, err := build.Layout(data)
			if err != nil {
				t.Fatal(err)
			}
			hidden := bytes.Clone(data)
			if n := mb.HideHeaders(hidden); n != 1 {
				t.Errorf("hid %d headers, want 1", n)
			}
			if err := multiboot.Probe(bytes.NewReader(hidden)); err == nil {
				t.Error("u-root multiboot.Probe still finds a header")
			}
			for i := range data {
				if data[i] != hidden[i] && (i < place.Offset+8 || i >= place.Offset+12) {
					t.Fatalf("byte %#x changed; the header is at %#x", i, place.Offset)
				}
			}
		})
	}
}

// TestEntry32 decodes the hand-encoded 32-bit entry of the patched image
// and checks it instruction by instruction, branch targets included.
func TestEntry32(t *testing.T) {
	for _, im := range images {
		t.Run(im.name, func(t *testing.T) { checkEntry32(t, im.image(t)) })
	}
}

func checkEntry32(t *testing.T, image string) {
	data, err := os.ReadFile(image)
	if err != nil {
		t.Fatal(err)
	}
	place, f, err := build.Layout(data)
	if err != nil {
		t.Fatal(err)
	}
	off, h := place.Offset, uint64(f.HeaderAddr)
	want := []string{
		0x60: fmt.Sprintf("mov ebp, %#x", h),
		0x65: "cmp eax, 0x2badb002",
		0x6a: fmt.Sprintf("jnz %#x", h+0xde), // to bad
		0x6c: "mov esi, eax",                 // shared with the PVH entry
		0x6e: "mov edi, dword ptr [ebp+0x48]",
		0x71: "xor eax, eax",
		0x73: "mov ecx, 0xc00",
		0x78: "cld",
		0x79: "rep stosd dword ptr [edi]",
		0x7b: "mov edi, dword ptr [ebp+0x48]",
		0x7e: "lea eax, ptr [edi+0x1003]",
		0x84: "mov dword ptr [edi], eax",
		0x86: "lea eax, ptr [edi+0x2003]",
		0x8c: "mov dword ptr [edi+0x1000], eax",
		0x92: "mov eax, 0x83",
		0x97: "lea edx, ptr [edi+0x2000]",
		0x9d: "mov ecx, 0x200",
		0xa2: "mov dword ptr [edx], eax", // loop
		0xa4: "add eax, 0x200000",
		0xa9: "add edx, 0x8",
		0xac: fmt.Sprintf("loop %#x", h+0xa2),
		0xae: "mov cr3, edi",
		0xb1: "mov eax, cr4",
		0xb4: "or eax, 0x20",
		0xb7: "mov cr4, eax",
		0xba: "mov ecx, 0xc0000080",
		0xbf: "rdmsr",
		0xc1: "or eax, 0x100",
		0xc6: "wrmsr",
		0xc8: "mov eax, cr0",
		0xcb: "or eax, 0x80000001",
		0xd0: "mov cr0, eax",
		0xd3: "lgdt ptr [ebp+0x28]",
		0xd7: "jmp far ptr [ebp+0x20]",
		0xda: "nop", 0xdb: "nop", 0xdc: "nop", 0xdd: "nop",
		0xde: "mov edx, 0xf4", // bad
		0xe3: "mov eax, 0x3",
		0xe8: "out dx, eax",
		0xe9: "hlt",
		0xea: fmt.Sprintf("jmp %#x", h+0xe9),
	}
	decode(t, data[off:], h, 0x60, 0xec, want)
}

// TestPVHEntry decodes the PVH entry: it checks hvm_start_info's magic
// through EBX, goes to bad on a mismatch and otherwise joins the
// Multiboot entry's code at H+0x6c, which hands EAX (the magic) to start64.
func TestPVHEntry(t *testing.T) {
	for _, im := range images {
		t.Run(im.name, func(t *testing.T) {
			data, err := os.ReadFile(im.image(t))
			if err != nil {
				t.Fatal(err)
			}
			place, f, err := build.Layout(data)
			if err != nil {
				t.Fatal(err)
			}
			h := uint64(f.HeaderAddr)
			want := []string{
				0xec: fmt.Sprintf("mov ebp, %#x", h),
				0xf1: "mov eax, dword ptr [ebx]",
				0xf3: "cmp eax, 0x336ec578",
				0xf8: fmt.Sprintf("jnz %#x", h+0xde), // to bad
				0xfa: fmt.Sprintf("jmp %#x", h+0x6c),
				0xff: "nop",
			}
			decode(t, data[place.Offset:], h, 0xec, 0x100, want)
		})
	}
}

// decode decodes hdr[start:end] as 32-bit code at H = h and compares each
// instruction, at its offset, with want.
func decode(t *testing.T, hdr []byte, h uint64, start, end int, want []string) {
	t.Helper()
	pc := start
	for pc < end {
		in, err := x86asm.Decode(hdr[pc:pc+15], 32)
		if err != nil {
			t.Fatalf("H+%#x: %v", pc, err)
		}
		got, w := x86asm.IntelSyntax(in, h+uint64(pc), nil), ""
		if pc < len(want) {
			w = want[pc]
		}
		if w == "" || got != w {
			t.Errorf("H+%#x: got %q, want %q", pc, got, w)
		}
		pc += in.Len
	}
	if pc != end {
		t.Errorf("code ends at H+%#x, want H+%#x", pc, end)
	}
}
