package trampoline

import (
	"encoding/binary"
	"fmt"
	"testing"

	"golang.org/x/arch/x86/x86asm"

	"warren.dev/kernel/cpu"
)

const (
	page  = 0x9e000
	cr3   = 0x3fe000
	entry = 0x2a1b40
)

func built(t *testing.T) *[Size]byte {
	t.Helper()
	var b [Size]byte
	if err := Build(&b, page, cr3, entry); err != nil {
		t.Fatal(err)
	}
	return &b
}

// TestRealMode decodes the 16-bit code: it loads the trampoline's GDT
// relative to CS (= page>>4), enters protected mode and far-jumps to the
// 32-bit code at its linear address.
func TestRealMode(t *testing.T) {
	want := []string{
		0x00: "cli",
		0x01: "mov ax, cs",
		0x03: "mov ds, ax",
		0x05: "lgdt ptr [0x80]",
		0x0b: "mov eax, cr0",
		0x0e: "or eax, 0x1",
		0x12: "mov cr0, eax",
		0x15: fmt.Sprintf("jmp far %#x, 0x8", page+0x20), // x86asm prints offset, selector
		0x1d: "nop", 0x1e: "nop", 0x1f: "nop",
	}
	decode(t, built(t), 16, 0, off32, want)
}

// TestProtectedMode decodes the 32-bit code: PAE, the kernel's tables,
// EFER, paging, and the far jump through the 64-bit code segment to the
// entry.
func TestProtectedMode(t *testing.T) {
	want := []string{
		0x20: "mov eax, 0x10",
		0x25: "mov ds, ax",
		0x27: "mov es, ax",
		0x29: "mov ss, ax",
		0x2b: "mov eax, cr4",
		0x2e: "or eax, 0x20",
		0x31: "mov cr4, eax",
		0x34: fmt.Sprintf("mov eax, %#x", cr3),
		0x39: "mov cr3, eax",
		0x3c: "mov ecx, 0xc0000080",
		0x41: "rdmsr",
		0x43: "or eax, 0x901",
		0x48: "wrmsr",
		0x4a: "mov eax, cr0",
		0x4d: "or eax, 0x80010000",
		0x52: "mov cr0, eax",
		0x55: fmt.Sprintf("jmp far %#x, 0x18", entry),
		0x5c: "nop", 0x5d: "nop", 0x5e: "nop", 0x5f: "nop",
	}
	decode(t, built(t), 32, off32, offGDT, want)
}

// TestGDT checks the descriptors the far jumps and data loads use and
// the GDTR's linear base.
func TestGDT(t *testing.T) {
	b := built(t)
	le := binary.LittleEndian
	desc := func(sel int) uint64 { return le.Uint64(b[offGDT+sel:]) }
	if got := desc(sel64); got != cpu.DescKernelCode {
		t.Errorf("64-bit code %#x, want the kernel's %#x", got, uint64(cpu.DescKernelCode))
	}
	if got := desc(selData); got != cpu.DescKernelData {
		t.Errorf("data %#x, want %#x", got, uint64(cpu.DescKernelData))
	}
	if got, want := desc(sel32), uint64(0x00CF9A000000FFFF); got != want { // 4 GiB, D=1, L=0
		t.Errorf("32-bit code %#x, want %#x", got, want)
	}
	if desc(0) != 0 {
		t.Error("the null descriptor is not 0")
	}
	if limit, base := le.Uint16(b[offGDTR:]), le.Uint32(b[offGDTR+2:]); limit != 4*8-1 || base != page+offGDT {
		t.Errorf("GDTR limit %#x base %#x", limit, base)
	}
}

func TestBuildRejects(t *testing.T) {
	var b [Size]byte
	for _, tc := range []struct {
		page, cr3, entry uint64
		want             error
	}{
		{0x9e800, cr3, entry, ErrPage},
		{0x100000, cr3, entry, ErrPage},
		{page, 1 << 32, entry, ErrCR3},
		{page, cr3, 1 << 32, ErrEntry},
	} {
		if err := Build(&b, tc.page, tc.cr3, tc.entry); err != tc.want {
			t.Errorf("Build(%#x, %#x, %#x) = %v, want %v", tc.page, tc.cr3, tc.entry, err, tc.want)
		}
	}
}

// decode decodes b[start:end] in the given mode at linear address
// page+offset and compares each instruction, at its offset, with want.
func decode(t *testing.T, b *[Size]byte, mode, start, end int, want []string) {
	t.Helper()
	pc := start
	for pc < end {
		in, err := x86asm.Decode(b[pc:], mode)
		if err != nil {
			t.Fatalf("%#x: %v", pc, err)
		}
		got, w := x86asm.IntelSyntax(in, uint64(page+pc), nil), ""
		if pc < len(want) {
			w = want[pc]
		}
		if w == "" || got != w {
			t.Errorf("%#x: got %q, want %q", pc, got, w)
		}
		pc += in.Len
	}
	if pc != end {
		t.Errorf("code ends at %#x, want %#x", pc, end)
	}
}
