package multiboot

import "encoding/binary"

// moduleEntryLen is the size of one module list entry: mod_start, mod_end,
// string, reserved.
const moduleEntryLen = 16

// parseModules reads count module list entries at addr. mod_end is taken as
// exclusive, as GRUB and QEMU write it (start + size).
func parseModules(mem Memory, count, addr uint32, info *Info) error {
	if count > MaxModules {
		return ErrTooManyModules
	}
	list, ok := View(mem, uint64(addr), uint64(count)*moduleEntryLen)
	if !ok {
		return ErrModulesRange
	}
	for i := range int(count) {
		e := list[i*moduleEntryLen:]
		start := uint64(binary.LittleEndian.Uint32(e[0:]))
		end := uint64(binary.LittleEndian.Uint32(e[4:]))
		if end < start {
			return ErrModuleBounds
		}
		data, ok := View(mem, start, end-start)
		if !ok {
			return ErrModuleRange
		}
		s, err := String(mem, uint64(binary.LittleEndian.Uint32(e[8:])), MaxString, ErrModuleCmdlineRange, ErrModuleCmdlineTooLong)
		if err != nil {
			return err
		}
		info.Modules[i] = Module{Start: start, End: end, Cmdline: s, Data: data}
		info.NumModules = i + 1
	}
	return nil
}
