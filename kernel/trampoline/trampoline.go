// Package trampoline builds the code an application processor runs after
// its startup IPI: the processor starts in real mode at the start of a
// page below 1 MiB, and the code takes it through 32-bit protected mode
// into long mode on the kernel's page tables, then far-jumps to the
// kernel's 64-bit entry in the image.
//
// The Go assembler emits only 64-bit code, so the 16- and 32-bit code is
// hand-encoded here; trampoline_test.go decodes it with x86asm. Build
// fills the addresses, which depend on the page, the page tables and the
// image. The entry must set CR0 and CR4 as the kernel wants them: the
// code sets only what long mode needs (CR0.PE, PG and WP, CR4.PAE, EFER's
// LME, NXE and SCE), and leaves caching as INIT left it.
package trampoline

import (
	"encoding/binary"
	"errors"
)

// Size is the trampoline's length in bytes.
const Size = 0x88

// Offsets of the fields Build fills.
const (
	offFar16 = 0x17 // 16-bit code's far jump: 32-bit offset of the 32-bit code
	off32    = 0x20 // the 32-bit code
	offCR3   = 0x35 // imm32 of `mov eax, CR3 value`
	offFar32 = 0x56 // 32-bit code's far jump into 64-bit code: the entry
	offGDT   = 0x60
	offGDTR  = 0x80 // limit; the base follows at offGDTR+2
)

// Selectors of the trampoline's GDT.
const (
	sel32   = 0x08
	selData = 0x10
	sel64   = 0x18
)

// code is the trampoline with its address fields 0.
var code = [Size]byte{
	// 0x00: real mode, CS:IP = page>>4:0.
	0xfa,       // cli
	0x8c, 0xc8, // mov ax, cs
	0x8e, 0xd8, // mov ds, ax
	0x66, 0x0f, 0x01, 0x16, offGDTR, 0x00, // lgdt [offGDTR]: 32-bit base
	0x0f, 0x20, 0xc0, // mov eax, cr0
	0x66, 0x83, 0xc8, 0x01, // or eax, CR0.PE
	0x0f, 0x22, 0xc0, // mov cr0, eax
	0x66, 0xea, 0, 0, 0, 0, sel32, 0x00, // jmp far sel32:page+off32 (filled)
	0x90, 0x90, 0x90,
	// 0x20: 32-bit protected mode, paging off.
	0xb8, selData, 0, 0, 0, // mov eax, selData
	0x8e, 0xd8, // mov ds, ax
	0x8e, 0xc0, // mov es, ax
	0x8e, 0xd0, // mov ss, ax
	0x0f, 0x20, 0xe0, // mov eax, cr4
	0x83, 0xc8, 0x20, // or eax, CR4.PAE
	0x0f, 0x22, 0xe0, // mov cr4, eax
	0xb8, 0, 0, 0, 0, // mov eax, the kernel's page-table root (filled)
	0x0f, 0x22, 0xd8, // mov cr3, eax
	0xb9, 0x80, 0x00, 0x00, 0xc0, // mov ecx, IA32_EFER
	0x0f, 0x32, // rdmsr
	0x0d, 0x01, 0x09, 0x00, 0x00, // or eax, EFER.SCE|LME|NXE (the kernel's tables use NX)
	0x0f, 0x30, // wrmsr
	0x0f, 0x20, 0xc0, // mov eax, cr0
	0x0d, 0x00, 0x00, 0x01, 0x80, // or eax, CR0.PG|WP: long mode, compatibility submode
	0x0f, 0x22, 0xc0, // mov cr0, eax
	0xea, 0, 0, 0, 0, sel64, 0x00, // jmp far sel64:entry (filled): 64-bit mode
	0x90, 0x90, 0x90, 0x90,
	// 0x60: GDT: null, 32-bit code, data, 64-bit code.
	0, 0, 0, 0, 0, 0, 0, 0,
	0xff, 0xff, 0x00, 0x00, 0x00, 0x9a, 0xcf, 0x00,
	0xff, 0xff, 0x00, 0x00, 0x00, 0x92, 0xcf, 0x00,
	0xff, 0xff, 0x00, 0x00, 0x00, 0x9a, 0xaf, 0x00,
	// 0x80: GDTR: limit, base (filled).
	0x1f, 0x00, 0, 0, 0, 0,
	0, 0,
}

// Errors of Build.
var (
	ErrPage  = errors.New("trampoline: the page is not a 4 KiB page below 1 MiB")
	ErrCR3   = errors.New("trampoline: the page tables lie above 4 GiB")
	ErrEntry = errors.New("trampoline: the entry lies above 4 GiB")
)

// Build writes into dst the trampoline for the page at physical address
// page (the startup IPI's vector is page>>12), which loads the page-table
// root cr3 and enters the 64-bit code at entry, identity-mapped and
// executable like the page itself under those tables.
//
// Context: kernel (no allocation, no pointer stores).
func Build(dst *[Size]byte, page, cr3, entry uint64) error {
	switch {
	case page%4096 != 0 || page >= 1<<20:
		return ErrPage
	case cr3 >= 1<<32:
		return ErrCR3
	case entry >= 1<<32:
		return ErrEntry
	}
	*dst = code
	le := binary.LittleEndian
	le.PutUint32(dst[offFar16:], uint32(page+off32))
	le.PutUint32(dst[offCR3:], uint32(cr3))
	le.PutUint32(dst[offFar32:], uint32(entry))
	le.PutUint32(dst[offGDTR+2:], uint32(page+offGDT))
	return nil
}
