// Package pvh reads the start information a PVH loader hands to the kernel
// in EBX (struct hvm_start_info of Xen's x86/HVM direct boot ABI, used by
// QEMU's -kernel, Firecracker and cloud-hypervisor for an ELF image with a
// XEN_ELFNOTE_PHYS32_ENTRY note) into the multiboot.Info the kernel boots
// from, so everything after the first instructions is shared with
// Multiboot.
//
// As with package multiboot, parsing runs in kmain before the Go runtime
// exists: nothing here allocates, panics or keeps state of its own.
package pvh

import (
	"encoding/binary"

	"warren.dev/boot/multiboot"
)

// Magic is hvm_start_info.magic (XEN_HVM_START_MAGIC_VALUE).
const Magic = 0x336EC578

// Byte offsets of hvm_start_info's fields. Version 0 ends at memmap;
// version 1 added the memory map, without which the kernel has no RAM.
const (
	offMagic         = 0
	offVersion       = 4
	offNrModules     = 12
	offModlist       = 16
	offCmdline       = 24
	offRSDP          = 32
	offMemmap        = 40
	offMemmapEntries = 48
	infoLen          = 56

	modEntryLen    = 32 // hvm_modlist_entry: paddr, size, cmdline_paddr, reserved
	memmapEntryLen = 24 // hvm_memmap_table_entry: addr, size, type, reserved

	// MaxMemmapEntries bounds the memory map as multiboot bounds its own
	// (64 KiB); a larger count is taken for corruption.
	MaxMemmapEntries = (64 << 10) / memmapEntryLen
)

// Parse reads the hvm_start_info at physical address addr into info,
// checking every count and pointer against mem; on an error info is partly
// filled and should not be trusted. Memory map types are E820's, as in
// Multiboot's map. Modules are the loader's (QEMU's -initrd is module 0).
//
// Parse stores views of loader memory (pointers) into info: call it from
// kmain, before the Go runtime runs, or on an Info on the stack.
func Parse(mem multiboot.Memory, addr uint64, info *multiboot.Info) error {
	*info = multiboot.Info{}
	b, ok := multiboot.View(mem, addr, offVersion+4)
	if !ok {
		return ErrInfoRange
	}
	le := binary.LittleEndian
	if le.Uint32(b[offMagic:]) != Magic {
		return ErrMagic
	}
	if le.Uint32(b[offVersion:]) < 1 {
		return ErrVersion
	}
	if b, ok = multiboot.View(mem, addr, infoLen); !ok {
		return ErrInfoRange
	}
	s, err := multiboot.String(mem, le.Uint64(b[offCmdline:]), multiboot.MaxCmdline, ErrCmdlineRange, ErrCmdlineTooLong)
	if err != nil {
		return err
	}
	info.Cmdline = s
	info.Flags |= multiboot.FlagCmdline
	if err := parseModules(mem, le.Uint32(b[offNrModules:]), le.Uint64(b[offModlist:]), info); err != nil {
		return err
	}
	if err := parseMemmap(mem, le.Uint32(b[offMemmapEntries:]), le.Uint64(b[offMemmap:]), info); err != nil {
		return err
	}
	info.RSDP = le.Uint64(b[offRSDP:])
	return nil
}

func parseModules(mem multiboot.Memory, count uint32, addr uint64, info *multiboot.Info) error {
	info.Flags |= multiboot.FlagModules
	if count == 0 {
		return nil // modlist_paddr may be anything
	}
	if count > multiboot.MaxModules {
		return ErrTooManyModules
	}
	list, ok := multiboot.View(mem, addr, uint64(count)*modEntryLen)
	if !ok {
		return ErrModulesRange
	}
	le := binary.LittleEndian
	for i := range int(count) {
		e := list[i*modEntryLen:]
		start, size := le.Uint64(e[0:]), le.Uint64(e[8:])
		data, ok := multiboot.View(mem, start, size)
		if !ok {
			return ErrModuleRange
		}
		s, err := multiboot.String(mem, le.Uint64(e[16:]), multiboot.MaxString, ErrModuleCmdlineRange, ErrModuleCmdlineTooLong)
		if err != nil {
			return err
		}
		info.Modules[i] = multiboot.Module{Start: start, End: start + size, Cmdline: s, Data: data}
		info.NumModules = i + 1
	}
	return nil
}

func parseMemmap(mem multiboot.Memory, count uint32, addr uint64, info *multiboot.Info) error {
	info.Flags |= multiboot.FlagMmap
	if count == 0 {
		return nil
	}
	if count > MaxMemmapEntries {
		return ErrMemmapTooLong
	}
	table, ok := multiboot.View(mem, addr, uint64(count)*memmapEntryLen)
	if !ok {
		return ErrMemmapRange
	}
	le := binary.LittleEndian
	for i := range int(count) {
		e := table[i*memmapEntryLen:]
		info.AddRegion(multiboot.Region{
			Base:   le.Uint64(e[0:]),
			Length: le.Uint64(e[8:]),
			Type:   multiboot.RegionType(le.Uint32(e[16:])),
		})
	}
	return nil
}
