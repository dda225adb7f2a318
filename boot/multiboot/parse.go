package multiboot

import (
	"bytes"
	"encoding/binary"
)

// Byte offsets of the fields of the information structure.
const (
	offFlags      = 0
	offMemLower   = 4
	offMemUpper   = 8
	offBootDevice = 12
	offCmdline    = 16
	offModsCount  = 20
	offModsAddr   = 24
	offMmapLength = 44
	offMmapAddr   = 48
	offLoaderName = 64
)

// Parse reads the information structure at physical address infoAddr into
// info. It checks every length and pointer against mem and returns one of
// the package's errors on the first problem; info is then partly filled and
// should not be trusted. Only the fields whose flag is set are read, so a
// structure shorter than the full layout (QEMU writes 88 bytes) is fine.
//
// Parse allocates nothing and never panics, but it stores views of boot
// loader memory (pointers) into info: call it from kmain, before the Go
// runtime runs, or on an Info that lives on the stack.
func Parse(mem Memory, infoAddr uint64, info *Info) error {
	*info = Info{}
	b, ok := View(mem, infoAddr, 4)
	if !ok {
		return ErrInfoRange
	}
	flags := binary.LittleEndian.Uint32(b)
	b, ok = View(mem, infoAddr, headerLen(flags))
	if !ok {
		return ErrInfoRange
	}
	info.Flags = flags
	u32 := func(off int) uint32 { return binary.LittleEndian.Uint32(b[off:]) }

	if flags&FlagMem != 0 {
		info.MemLower = u32(offMemLower)
		info.MemUpper = u32(offMemUpper)
	}
	if flags&FlagBootDevice != 0 {
		info.BootDevice = u32(offBootDevice)
	}
	if flags&FlagCmdline != 0 {
		s, err := String(mem, uint64(u32(offCmdline)), MaxCmdline, ErrCmdlineRange, ErrCmdlineTooLong)
		if err != nil {
			return err
		}
		info.Cmdline = s
	}
	if flags&FlagModules != 0 {
		if err := parseModules(mem, u32(offModsCount), u32(offModsAddr), info); err != nil {
			return err
		}
	}
	if flags&FlagMmap != 0 {
		if err := parseMmap(mem, u32(offMmapLength), u32(offMmapAddr), info); err != nil {
			return err
		}
	}
	if flags&FlagLoaderName != 0 {
		s, err := String(mem, uint64(u32(offLoaderName)), MaxString, ErrLoaderNameRange, ErrLoaderNameTooLong)
		if err != nil {
			return err
		}
		info.LoaderName = s
	}
	return nil
}

// headerLen is how much of the structure the set flags make Parse read.
func headerLen(flags uint32) uint64 {
	n := uint64(4)
	for _, f := range [...]struct {
		flag uint32
		end  uint64
	}{
		{FlagMem, offMemUpper + 4},
		{FlagBootDevice, offBootDevice + 4},
		{FlagCmdline, offCmdline + 4},
		{FlagModules, offModsAddr + 4},
		{FlagMmap, offMmapAddr + 4},
		{FlagLoaderName, offLoaderName + 4},
	} {
		if flags&f.flag != 0 && f.end > n {
			n = f.end
		}
	}
	return n
}

// View is mem.Bytes that also refuses address wrap-around and a Memory that
// returns the wrong length, so callers can index the result freely.
func View(mem Memory, addr, n uint64) ([]byte, bool) {
	if addr+n < addr {
		return nil, false
	}
	b, ok := mem.Bytes(addr, n)
	if !ok || uint64(len(b)) != n {
		return nil, false
	}
	return b[:n:n], true
}

// String views the NUL-terminated string at addr, without its NUL, if it
// is at most limit bytes long; otherwise it returns rangeErr (the string
// runs outside memory) or tooLongErr. A null pointer is an empty string: no
// loader puts a string in the real-mode interrupt table.
func String(mem Memory, addr, limit uint64, rangeErr, tooLongErr error) ([]byte, error) {
	if addr == 0 {
		return nil, nil
	}
	if b, ok := View(mem, addr, limit+1); ok {
		if n := bytes.IndexByte(b, 0); n >= 0 {
			return b[:n:n], nil
		}
		return nil, tooLongErr
	}
	// The window runs off the end of memory: look for the NUL byte by byte.
	for n := uint64(0); n <= limit; n++ {
		c, ok := View(mem, addr+n, 1)
		if !ok {
			return nil, rangeErr
		}
		if c[0] == 0 {
			b, ok := View(mem, addr, n)
			if !ok {
				return nil, rangeErr
			}
			return b, nil
		}
	}
	return nil, tooLongErr
}
