package multiboot

import (
	"encoding/binary"
	"testing"
)

// FuzzParse treats the input as physical memory from address 0, with the
// information structure at the address in its first two bytes, so pointers
// in the input land inside it often. Parse must not panic, and what it
// records must stay within its limits and within memory.
func FuzzParse(f *testing.F) {
	// A seed with every parsed field pointing inside the input.
	m := &fakeMem{}
	m.add(0, 0x800)
	m.put32(f, 0, 0x100)
	m.put32(f, 0x100+offFlags, FlagMem|FlagCmdline|FlagModules|FlagMmap|FlagLoaderName)
	m.put32(f, 0x100+offMemLower, 639)
	m.put32(f, 0x100+offMemUpper, 1<<10)
	m.putString(f, 0x200, "warren.debug=1")
	m.put32(f, 0x100+offCmdline, 0x200)
	m.putString(f, 0x220, "qemu")
	m.put32(f, 0x100+offLoaderName, 0x220)
	m.put32(f, 0x100+offModsCount, 1)
	m.put32(f, 0x100+offModsAddr, 0x240)
	m.putModule(f, 0x240, 0, 0x400, 0x800, 0x200)
	m.put32(f, 0x100+offMmapLength, m.putMmap(f, 0x280, 20, qemuMap...))
	m.put32(f, 0x100+offMmapAddr, 0x280)
	f.Add(m.segs[0].b)
	f.Add([]byte{4, 0, 0, 0, 0x4f, 0x02, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 2 {
			return
		}
		mem := &fakeMem{segs: []segment{{0, data}}}
		infoAddr := uint64(binary.LittleEndian.Uint16(data))
		var info Info
		err := Parse(mem, infoAddr, &info)
		if info.NumRegions > MaxRegions || info.NumModules > MaxModules ||
			len(info.Cmdline) > MaxCmdline || len(info.LoaderName) > MaxString {
			t.Fatalf("unbounded result %+v", info)
		}
		for _, m := range info.ModuleList() {
			if m.End < m.Start || uint64(len(m.Data)) != m.End-m.Start || m.End > uint64(len(data)) {
				t.Fatalf("bad module %+v", m)
			}
		}
		if err != nil {
			return
		}
		var out [MaxRegions]Range
		n := info.AvailableRAM(out[:])
		for k, r := range out[:n] {
			if r.Start >= r.End || r.Start%PageSize != 0 || r.End%PageSize != 0 ||
				(k > 0 && out[k-1].End >= r.Start) {
				t.Fatalf("bad ranges %x", out[:n])
			}
		}
	})
}
