package multiboot

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"testing"
)

// qemuMap is the E820 map QEMU's firmware reports for -m 128.
var qemuMap = []Region{
	{0, 0x9fc00, Available},
	{0x9fc00, 0x400, Reserved},
	{0xf0000, 0x10000, Reserved},
	{0x100000, 0x7ee0000, Available},
	{0x7fe0000, 0x20000, Reserved},
	{0xfffc0000, 0x40000, Reserved},
}

const (
	qemuMmap    = 0x9000   // where QEMU's option ROM leaves the E820 copy
	qemuKernel  = 0x100000 // kernel image, 0x5000 bytes
	qemuModule  = 0x105000 // modules follow the kernel, page aligned
	qemuModLen  = 0x1234
	qemuInfo    = 0x107000 // then the 88-byte info structure,
	qemuModList = qemuInfo + 88
	qemuStrings = qemuModList + 16 // then the module list and the strings
)

// qemuBoot lays out memory as QEMU's -kernel loader does for one module.
func qemuBoot(t testing.TB) *fakeMem {
	m := &fakeMem{}
	m.add(0, 0xa0000)
	m.add(qemuKernel, 0x10000)
	for i := range qemuModLen {
		m.at(t, qemuModule)[i] = byte(i)
	}
	m.put32(t, qemuInfo+offFlags, FlagMem|FlagBootDevice|FlagCmdline|FlagModules|FlagMmap|FlagLoaderName)
	m.put32(t, qemuInfo+offMemLower, 639)
	m.put32(t, qemuInfo+offMemUpper, (0x7fe0000-0x100000)>>10)
	m.put32(t, qemuInfo+offBootDevice, 0x8000ffff)
	cmdline := uint64(qemuStrings)
	m.putString(t, cmdline, `warren.debug=1 HOME=/ "x y"`)
	modStr := cmdline + 32
	m.putString(t, modStr, "initrd.cpio")
	name := modStr + 16
	m.putString(t, name, "qemu")
	m.put32(t, qemuInfo+offCmdline, uint32(cmdline))
	m.put32(t, qemuInfo+offModsCount, 1)
	m.put32(t, qemuInfo+offModsAddr, qemuModList)
	m.putModule(t, qemuModList, 0, qemuModule, qemuModule+qemuModLen, uint32(modStr))
	m.put32(t, qemuInfo+offMmapLength, m.putMmap(t, qemuMmap, 20, qemuMap...))
	m.put32(t, qemuInfo+offMmapAddr, qemuMmap)
	m.put32(t, qemuInfo+offLoaderName, uint32(name))
	return m
}

func TestParseQEMU(t *testing.T) {
	m := qemuBoot(t)
	var info Info
	if err := Parse(m, qemuInfo, &info); err != nil {
		t.Fatal(err)
	}
	if info.MemLower != 639 || info.MemUpper != 129920 || info.BootDevice != 0x8000ffff {
		t.Errorf("mem %d/%d boot device %#x", info.MemLower, info.MemUpper, info.BootDevice)
	}
	if got := string(info.Cmdline); got != `warren.debug=1 HOME=/ "x y"` {
		t.Errorf("cmdline %q", got)
	}
	if got := string(info.LoaderName); got != "qemu" {
		t.Errorf("loader name %q", got)
	}
	if info.NumModules != 1 {
		t.Fatalf("%d modules", info.NumModules)
	}
	mod := info.Modules[0]
	if mod.Start != qemuModule || mod.End != qemuModule+qemuModLen || string(mod.Cmdline) != "initrd.cpio" {
		t.Errorf("module %#x-%#x %q", mod.Start, mod.End, mod.Cmdline)
	}
	if !bytes.Equal(mod.Data, m.at(t, qemuModule)[:qemuModLen]) {
		t.Errorf("module data differs")
	}
	if got := info.MemoryMap(); len(got) != len(qemuMap) || info.DroppedRegions != 0 {
		t.Fatalf("memory map %v, dropped %d", got, info.DroppedRegions)
	}
	for i, r := range info.MemoryMap() {
		if r != qemuMap[i] {
			t.Errorf("region %d = %+v, want %+v", i, r, qemuMap[i])
		}
	}
	var ram [MaxRegions]Range
	n := info.AvailableRAM(ram[:])
	want := []Range{{0, 0x9f000}, {0x100000, 0x7fe0000}}
	if !rangesEqual(ram[:n], want) {
		t.Errorf("available RAM %x, want %x", ram[:n], want)
	}
}

// TestParseGRUB uses the flags GRUB 2 sets (ELF sections and framebuffer
// too, which Parse skips), a memory map with ACPI, NVS, bad RAM and an
// entry overlapping a reservation, and two modules.
func TestParseGRUB(t *testing.T) {
	const (
		info    = 0x10000
		mmap    = 0x10100
		modList = 0x10400
		strs    = 0x10500
		mod0    = 0x200000
		mod1    = 0x203000
	)
	m := &fakeMem{}
	m.add(0, 0xa0000)
	m.add(0x200000, 0x10000)
	m.put32(t, info+offFlags, FlagMem|FlagBootDevice|FlagCmdline|FlagModules|FlagELFSections|FlagMmap|FlagLoaderName|FlagFramebuffer)
	m.put32(t, info+offMemLower, 630)
	m.put32(t, info+offMemUpper, 0x3fd000)
	m.putString(t, strs, "/boot/warren console=ttyS0")
	m.putString(t, strs+0x100, "GRUB 2.06")
	m.putString(t, strs+0x200, "/boot/initrd.cpio")
	m.putString(t, strs+0x300, "/boot/extra foo=bar")
	m.put32(t, info+offCmdline, strs)
	m.put32(t, info+offLoaderName, strs+0x100)
	m.put32(t, info+offModsCount, 2)
	m.put32(t, info+offModsAddr, modList)
	m.putModule(t, modList, 0, mod0, mod0+0x2800, strs+0x200)
	m.putModule(t, modList, 1, mod1, mod1, strs+0x300) // empty module
	regions := []Region{
		{0, 0x9fc00, Available},
		{0x9d800, 0x2800, Reserved}, // overlaps the entry before
		{0xe0000, 0x20000, Reserved},
		{0x100000, 0xbf5f0000, Available},
		{0x20000000, 0x1000, BadRAM},
		{0xbf6f0000, 0xe000, ACPIReclaimable},
		{0xbf6fe000, 0x2000, NVS},
		{0xbf700000, 0x900000, Reserved},
		{0xfec00000, 0x1400000, Reserved},
		{0x100000000, 0x140000000, Available},
	}
	m.put32(t, info+offMmapLength, m.putMmap(t, mmap, 20, regions...))
	m.put32(t, info+offMmapAddr, mmap)

	var mi Info
	if err := Parse(m, info, &mi); err != nil {
		t.Fatal(err)
	}
	if string(mi.Cmdline) != "/boot/warren console=ttyS0" || string(mi.LoaderName) != "GRUB 2.06" {
		t.Errorf("cmdline %q loader %q", mi.Cmdline, mi.LoaderName)
	}
	mods := mi.ModuleList()
	if len(mods) != 2 || len(mods[0].Data) != 0x2800 || len(mods[1].Data) != 0 ||
		string(mods[0].Cmdline) != "/boot/initrd.cpio" || string(mods[1].Cmdline) != "/boot/extra foo=bar" {
		t.Errorf("modules %+v", mods)
	}
	if mi.NumRegions != len(regions) {
		t.Fatalf("%d regions", mi.NumRegions)
	}
	var ram [MaxRegions]Range
	n := mi.AvailableRAM(ram[:])
	want := []Range{
		{0, 0x9d000},
		{0x100000, 0x20000000},
		{0x20001000, 0xbf6f0000},
		{0x100000000, 0x240000000},
	}
	if !rangesEqual(ram[:n], want) {
		t.Errorf("available RAM %x, want %x", ram[:n], want)
	}
}

// TestParseExtendedEntries reads 24-byte entries (ACPI 3.0 attributes).
func TestParseExtendedEntries(t *testing.T) {
	m := &fakeMem{}
	m.add(0, 0x10000)
	m.put32(t, 0x1000+offFlags, FlagMmap)
	m.put32(t, 0x1000+offMmapLength, m.putMmap(t, 0x2000, 24, qemuMap...))
	m.put32(t, 0x1000+offMmapAddr, 0x2000)
	var info Info
	if err := Parse(m, 0x1000, &info); err != nil {
		t.Fatal(err)
	}
	for i, r := range info.MemoryMap() {
		if r != qemuMap[i] {
			t.Errorf("region %d = %+v, want %+v", i, r, qemuMap[i])
		}
	}
}

// TestParseShortInfo puts a structure whose flags need only 68 bytes at the
// very end of memory: Parse must not read past what the flags cover.
func TestParseShortInfo(t *testing.T) {
	m := &fakeMem{}
	m.add(0x1000, 0x1000)
	const info = 0x2000 - 68
	m.put32(t, info+offFlags, FlagLoaderName|FlagMem)
	m.put32(t, info+offMemLower, 640)
	m.putString(t, 0x1100, "tiny")
	m.put32(t, info+offLoaderName, 0x1100)
	var mi Info
	if err := Parse(m, info, &mi); err != nil {
		t.Fatal(err)
	}
	if string(mi.LoaderName) != "tiny" || mi.MemLower != 640 {
		t.Errorf("%+v", mi)
	}
	m.put32(t, info+offFlags, FlagLoaderName|FlagMem|FlagFramebuffer|FlagVBE)
	if err := Parse(m, info, &mi); err != nil {
		t.Errorf("unparsed flags made Parse read further: %v", err)
	}
}

// TestParseStringAtEnd finds a NUL in the last byte of memory.
func TestParseStringAtEnd(t *testing.T) {
	m := &fakeMem{}
	m.add(0x1000, 0x1000)
	m.put32(t, 0x1000+offFlags, FlagCmdline)
	m.putString(t, 0x2000-4, "abc")
	m.put32(t, 0x1000+offCmdline, 0x2000-4)
	var info Info
	if err := Parse(m, 0x1000, &info); err != nil || string(info.Cmdline) != "abc" {
		t.Errorf("cmdline %q, %v", info.Cmdline, err)
	}
	// Without the NUL the string runs off the end of memory.
	m.at(t, 0x2000-1)[0] = 'd'
	if err := Parse(m, 0x1000, &info); err != ErrCmdlineRange {
		t.Errorf("got %v, want %v", err, ErrCmdlineRange)
	}
}

// TestParseLongCmdline takes command lines up to MaxCmdline bytes, longer
// than the other strings may be, and refuses one byte more; the error
// names the limit.
func TestParseLongCmdline(t *testing.T) {
	for _, n := range []int{MaxString + 1, 6000, MaxCmdline} {
		m := qemuBoot(t)
		line := bytes.Repeat([]byte("x"), n)
		m.putString(t, 0x20000, string(line))
		m.put32(t, qemuInfo+offCmdline, 0x20000)
		var info Info
		if err := Parse(m, qemuInfo, &info); err != nil || !bytes.Equal(info.Cmdline, line) {
			t.Errorf("%d bytes: got %d, %v", n, len(info.Cmdline), err)
		}
		m.at(t, 0x20000+uint64(n))[0] = 'y' // the NUL one byte later
		m.putString(t, 0x20000+uint64(n)+1, "")
		var want error
		if n == MaxCmdline {
			want = ErrCmdlineTooLong
		}
		if err := Parse(m, qemuInfo, &info); err != want {
			t.Errorf("%d+1 bytes: got %v, want %v", n, err, want)
		}
	}
	if !strings.Contains(ErrCmdlineTooLong.Error(), " "+strconv.Itoa(MaxCmdline)+" bytes") {
		t.Errorf("%q does not name the limit, %d bytes", ErrCmdlineTooLong, MaxCmdline)
	}
}

func TestParseMaxRegions(t *testing.T) {
	m := &fakeMem{}
	m.add(0, 0x10000)
	rs := make([]Region, MaxRegions+5)
	for i := range rs {
		rs[i] = Region{uint64(i) << 20, 1 << 20, Available}
	}
	m.put32(t, 0x100+offFlags, FlagMmap)
	m.put32(t, 0x100+offMmapLength, m.putMmap(t, 0x1000, 20, rs...))
	m.put32(t, 0x100+offMmapAddr, 0x1000)
	var info Info
	if err := Parse(m, 0x100, &info); err != nil {
		t.Fatal(err)
	}
	if info.NumRegions != MaxRegions || info.DroppedRegions != 5 {
		t.Errorf("kept %d, dropped %d", info.NumRegions, info.DroppedRegions)
	}
	var ram [MaxRegions]Range
	if n := info.AvailableRAM(ram[:]); n != 1 || ram[0] != (Range{0, MaxRegions << 20}) {
		t.Errorf("available RAM %x", ram[:n])
	}
}

// TestParseErrors breaks a good QEMU layout one field at a time.
func TestParseErrors(t *testing.T) {
	noNUL := make([]byte, MaxCmdline+8)
	for i := range noNUL {
		noNUL[i] = 'x'
	}
	tests := []struct {
		name   string
		info   uint64
		break_ func(t testing.TB, m *fakeMem)
		want   error
	}{
		{"info outside memory", 0x200000, nil, ErrInfoRange},
		{"info straddles end", 0xa0000 - 2, nil, ErrInfoRange},
		{"info header past end", 0xa0000 - 20, func(t testing.TB, m *fakeMem) {
			m.put32(t, 0xa0000-20, FlagMmap)
		}, ErrInfoRange},
		{"cmdline outside memory", qemuInfo, func(t testing.TB, m *fakeMem) {
			m.put32(t, qemuInfo+offCmdline, 0xb0000)
		}, ErrCmdlineRange},
		{"cmdline too long", qemuInfo, func(t testing.TB, m *fakeMem) {
			copy(m.at(t, 0x20000), noNUL)
			m.put32(t, qemuInfo+offCmdline, 0x20000)
		}, ErrCmdlineTooLong},
		{"cmdline too long at end of memory", qemuInfo, func(t testing.TB, m *fakeMem) {
			copy(m.at(t, 0xa0000-MaxCmdline), noNUL)
			m.put32(t, qemuInfo+offCmdline, 0xa0000-MaxCmdline)
		}, ErrCmdlineRange},
		{"loader name outside memory", qemuInfo, func(t testing.TB, m *fakeMem) {
			m.put32(t, qemuInfo+offLoaderName, 0xffffffff)
		}, ErrLoaderNameRange},
		{"loader name too long", qemuInfo, func(t testing.TB, m *fakeMem) {
			copy(m.at(t, 0x20000), noNUL)
			m.put32(t, qemuInfo+offLoaderName, 0x20000)
		}, ErrLoaderNameTooLong},
		{"mmap outside memory", qemuInfo, func(t testing.TB, m *fakeMem) {
			m.put32(t, qemuInfo+offMmapAddr, 0xa0000-8)
		}, ErrMmapRange},
		{"mmap huge", qemuInfo, func(t testing.TB, m *fakeMem) {
			m.put32(t, qemuInfo+offMmapLength, 0xfffffff0)
		}, ErrMmapTooLong},
		{"mmap zero-size entry", qemuInfo, func(t testing.TB, m *fakeMem) {
			m.put32(t, qemuMmap+24, 0)
		}, ErrMmapEntryShort},
		{"mmap entry of 19 bytes", qemuInfo, func(t testing.TB, m *fakeMem) {
			m.put32(t, qemuMmap+48, 19)
		}, ErrMmapEntryShort},
		{"mmap entry past length", qemuInfo, func(t testing.TB, m *fakeMem) {
			m.put32(t, qemuMmap+5*24, 21)
		}, ErrMmapTruncated},
		{"mmap huge entry", qemuInfo, func(t testing.TB, m *fakeMem) {
			m.put32(t, qemuMmap, 0xffffffff)
		}, ErrMmapTruncated},
		{"mmap length not whole entries", qemuInfo, func(t testing.TB, m *fakeMem) {
			m.put32(t, qemuInfo+offMmapLength, 6*24+3)
		}, ErrMmapTruncated},
		{"mmap length cuts an entry", qemuInfo, func(t testing.TB, m *fakeMem) {
			m.put32(t, qemuInfo+offMmapLength, 6*24-1)
		}, ErrMmapTruncated},
		{"too many modules", qemuInfo, func(t testing.TB, m *fakeMem) {
			m.put32(t, qemuInfo+offModsCount, MaxModules+1)
		}, ErrTooManyModules},
		{"huge module count", qemuInfo, func(t testing.TB, m *fakeMem) {
			m.put32(t, qemuInfo+offModsCount, 0xffffffff)
		}, ErrTooManyModules},
		{"module list outside memory", qemuInfo, func(t testing.TB, m *fakeMem) {
			m.put32(t, qemuInfo+offModsAddr, 0x9fff8)
		}, ErrModulesRange},
		{"module ends before start", qemuInfo, func(t testing.TB, m *fakeMem) {
			m.putModule(t, qemuModList, 0, qemuModule, qemuModule-1, 0)
		}, ErrModuleBounds},
		{"module outside memory", qemuInfo, func(t testing.TB, m *fakeMem) {
			m.putModule(t, qemuModList, 0, qemuModule, qemuModule+0x100000, 0)
		}, ErrModuleRange},
		{"module string outside memory", qemuInfo, func(t testing.TB, m *fakeMem) {
			m.putModule(t, qemuModList, 0, qemuModule, qemuModule+1, 0xc0000)
		}, ErrModuleCmdlineRange},
		{"module string too long", qemuInfo, func(t testing.TB, m *fakeMem) {
			copy(m.at(t, 0x20000), noNUL)
			m.putModule(t, qemuModList, 0, qemuModule, qemuModule+1, 0x20000)
		}, ErrModuleCmdlineTooLong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := qemuBoot(t)
			if tt.break_ != nil {
				tt.break_(t, m)
			}
			var info Info
			if err := Parse(m, tt.info, &info); !errors.Is(err, tt.want) {
				t.Errorf("got %v, want %v", err, tt.want)
			}
		})
	}
}

// TestParseNullStrings treats null string pointers as empty strings.
func TestParseNullStrings(t *testing.T) {
	m := qemuBoot(t)
	m.put32(t, qemuInfo+offCmdline, 0)
	m.put32(t, qemuInfo+offLoaderName, 0)
	m.putModule(t, qemuModList, 0, qemuModule, qemuModule+1, 0)
	var info Info
	if err := Parse(m, qemuInfo, &info); err != nil {
		t.Fatal(err)
	}
	if len(info.Cmdline) != 0 || len(info.LoaderName) != 0 || len(info.Modules[0].Cmdline) != 0 {
		t.Errorf("%+v", info)
	}
}

// TestParseFlagsClear reads only the flags word.
func TestParseFlagsClear(t *testing.T) {
	m := &fakeMem{}
	m.add(0x1000, 4)
	var info Info
	info.NumModules = 3 // Parse must reset leftovers
	if err := Parse(m, 0x1000, &info); err != nil || info.NumModules != 0 || info.Flags != 0 {
		t.Errorf("%+v, %v", info, err)
	}
	var ram [4]Range
	if n := info.AvailableRAM(ram[:]); n != 0 {
		t.Errorf("available RAM %x without mmap or mem flags", ram[:n])
	}
}

// lyingMem returns shorter views than asked for, as a buggy adapter might.
type lyingMem struct{ fakeMem }

func (m *lyingMem) Bytes(addr, n uint64) ([]byte, bool) {
	b, ok := m.fakeMem.Bytes(addr, n)
	if ok && len(b) > 0 {
		b = b[:len(b)-1]
	}
	return b, ok
}

func TestParseLyingMemory(t *testing.T) {
	m := &lyingMem{*qemuBoot(t)}
	var info Info
	if err := Parse(m, qemuInfo, &info); err != ErrInfoRange {
		t.Errorf("got %v", err)
	}
}

func TestParseAllocs(t *testing.T) {
	m := qemuBoot(t)
	var info Info
	var ram [MaxRegions]Range
	allocs := testing.AllocsPerRun(100, func() {
		if err := Parse(m, qemuInfo, &info); err != nil {
			t.Fatal(err)
		}
		info.AvailableRAM(ram[:])
	})
	if allocs != 0 {
		t.Errorf("%v allocations per Parse", allocs)
	}
}

func rangesEqual(a, b []Range) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
