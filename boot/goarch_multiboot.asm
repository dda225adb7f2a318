// Multiboot v1 header, PVH entry and 32-bit boot code of a Warren image.
//
// The warren tool adds this file to package internal/goarch with -overlay
// (as zz_warren_multiboot_amd64.s): that package has no other code, so the
// linker puts this symbol first in .text, at file offset 0x1000, inside the
// 8 KiB the Multiboot specification searches. The Go assembler only emits
// 64-bit code, so the 32-bit code is hand-encoded; tools/build/header_test.go
// decodes it with x86asm in 32-bit mode. Fields marked "patched" are filled
// by the warren tool after linking (tools/build/patch.go), since the
// assembler cannot emit absolute 32-bit addresses of symbols; it also points
// a PT_NOTE program header at the Xen note below, which PVH loaders
// (QEMU, Firecracker, cloud-hypervisor) read for the PVH entry.
//
// Both entries run the same code after their first instructions: it builds
// the boot page tables and enters start64 in long mode with ESI = the
// loader's magic (which protocol) and EBX = its information structure.
//
// Layout (offsets from the header start H):
//   0x00 magic, flags (page-aligned modules, memory info, a.out kludge), checksum
//   0x0c header_addr, load_addr, load_end_addr, bss_end_addr, entry_addr (patched)
//   0x20 far pointer to the 64-bit entry: offset (patched), selector 0x08
//   0x28 GDTR: limit, base (patched: H+0x30)
//   0x30 GDT: null, 64-bit code, data
//   0x48 physical address of three zeroed pages for the boot page tables (patched)
//   0x4c start of the bss tail the kernel backs on demand (patched)
//   0x60 Multiboot entry (EAX = 0x2BADB002, EBX = multiboot information)
//   0x6c shared code: page tables, long mode, far jump to start64
//   0xde bad: neither loader's magic
//   0xec PVH entry (EBX = struct hvm_start_info, magic 0x336EC578 in its first word)
//   0x100 ELF note "Xen", XEN_ELFNOTE_PHYS32_ENTRY (18): H+0xec (patched)

#include "textflag.h"

TEXT ·warrenMultiboot(SB), NOSPLIT|NOFRAME, $0
	LONG $0x1BADB002
	LONG $0x00010003
	LONG $-(0x1BADB002 + 0x00010003)
	LONG $0 // header_addr
	LONG $0 // load_addr
	LONG $0 // load_end_addr
	LONG $0 // bss_end_addr
	LONG $0 // entry_addr
	LONG $0 // 0x20: 64-bit entry offset
	WORD $0x0008 // selector: GDT entry 1
	WORD $0
	WORD $23 // 0x28: GDT limit
	LONG $0 // GDT base
	WORD $0
	QUAD $0 // 0x30: null descriptor
	QUAD $0x00AF9A000000FFFF // 64-bit code, DPL 0
	QUAD $0x00CF92000000FFFF // data, DPL 0
	LONG $0 // 0x48: boot page tables
	LONG $0
	QUAD $0
	QUAD $0

	// 0x60: 32-bit protected mode, paging off, interrupts off.
	BYTE $0xbd; LONG $0            // mov ebp, H (patched at 0x61)
	BYTE $0x3d; LONG $0x2BADB002   // cmp eax, 0x2badb002
	BYTE $0x75; BYTE $0x72         // jne bad
	// 0x6c: shared by both entries; EBX = the loader's information.
	BYTE $0x89; BYTE $0xc6         // mov esi, eax: the loader's magic, for start64
	BYTE $0x8b; BYTE $0x7d; BYTE $0x48 // mov edi, [ebp+0x48]
	BYTE $0x31; BYTE $0xc0         // xor eax, eax
	BYTE $0xb9; LONG $3072         // mov ecx, 3*4096/4
	BYTE $0xfc                     // cld
	BYTE $0xf3; BYTE $0xab         // rep stosd: zero PML4, PDPT, PD
	BYTE $0x8b; BYTE $0x7d; BYTE $0x48 // mov edi, [ebp+0x48]
	BYTE $0x8d; BYTE $0x87; LONG $0x1003 // lea eax, [edi+0x1003]
	BYTE $0x89; BYTE $0x07         // mov [edi], eax: PML4[0] = PDPT|P|W
	BYTE $0x8d; BYTE $0x87; LONG $0x2003 // lea eax, [edi+0x2003]
	BYTE $0x89; BYTE $0x87; LONG $0x1000 // mov [edi+0x1000], eax: PDPT[0] = PD|P|W
	BYTE $0xb8; LONG $0x83         // mov eax, 0x83 (P|W|PS)
	BYTE $0x8d; BYTE $0x97; LONG $0x2000 // lea edx, [edi+0x2000]
	BYTE $0xb9; LONG $512          // mov ecx, 512
	BYTE $0x89; BYTE $0x02         // 1: mov [edx], eax: identity-map 1 GiB with 2 MiB pages
	BYTE $0x05; LONG $0x200000     // add eax, 0x200000
	BYTE $0x83; BYTE $0xc2; BYTE $0x08 // add edx, 8
	BYTE $0xe2; BYTE $0xf4         // loop 1b
	BYTE $0x0f; BYTE $0x22; BYTE $0xdf // mov cr3, edi
	BYTE $0x0f; BYTE $0x20; BYTE $0xe0 // mov eax, cr4
	BYTE $0x83; BYTE $0xc8; BYTE $0x20 // or eax, CR4.PAE
	BYTE $0x0f; BYTE $0x22; BYTE $0xe0 // mov cr4, eax
	BYTE $0xb9; LONG $0xc0000080   // mov ecx, IA32_EFER
	BYTE $0x0f; BYTE $0x32         // rdmsr
	BYTE $0x0d; LONG $0x100        // or eax, EFER.LME
	BYTE $0x0f; BYTE $0x30         // wrmsr
	BYTE $0x0f; BYTE $0x20; BYTE $0xc0 // mov eax, cr0
	BYTE $0x0d; LONG $0x80000001   // or eax, CR0.PG|CR0.PE
	BYTE $0x0f; BYTE $0x22; BYTE $0xc0 // mov cr0, eax: long mode, compatibility submode
	BYTE $0x0f; BYTE $0x01; BYTE $0x55; BYTE $0x28 // lgdt [ebp+0x28]
	BYTE $0xff; BYTE $0x6d; BYTE $0x20 // jmp far [ebp+0x20]: into 64-bit code
	BYTE $0x90; BYTE $0x90; BYTE $0x90; BYTE $0x90 // padding so "bad" stays at 0xde
	// 0xde bad: entered by neither a Multiboot nor a PVH loader. Exit QEMU
	// (isa-debug-exit status 7) or stop.
	BYTE $0xba; LONG $0xf4         // mov edx, 0xf4
	BYTE $0xb8; LONG $3            // mov eax, 3
	BYTE $0xef                     // out dx, eax
	BYTE $0xf4                     // 2: hlt
	BYTE $0xeb; BYTE $0xfd         // jmp 2b

	// 0xec: PVH entry. 32-bit protected mode, paging off, flat segments,
	// interrupts off; no stack and no valid GDTR (the shared code loads one).
	BYTE $0xbd; LONG $0            // mov ebp, H (patched at 0xed)
	BYTE $0x8b; BYTE $0x03         // mov eax, [ebx]: hvm_start_info.magic
	BYTE $0x3d; LONG $0x336EC578   // cmp eax, XEN_HVM_START_MAGIC_VALUE
	BYTE $0x75; BYTE $0xe4         // jne bad
	BYTE $0xe9; LONG $-0x93        // jmp H+0x6c: the shared code
	BYTE $0x90                     // padding: the note is 4-byte aligned

	// 0x100: the PT_NOTE's one note. The descriptor is 8 bytes: QEMU reads
	// a pointer-sized value from a 64-bit ELF, others 4 bytes.
	LONG $4  // namesz
	LONG $8  // descsz
	LONG $18 // XEN_ELFNOTE_PHYS32_ENTRY
	BYTE $'X'; BYTE $'e'; BYTE $'n'; BYTE $0
	QUAD $0  // PVH entry address (patched: H+0xec)
