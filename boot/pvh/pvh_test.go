package pvh

import (
	"encoding/binary"
	"errors"
	"testing"

	"warren.dev/boot/multiboot"
)

// flatMem is physical memory from address 0 to len(flatMem).
type flatMem []byte

func (m flatMem) Bytes(addr, n uint64) ([]byte, bool) {
	if addr > uint64(len(m)) || n > uint64(len(m))-addr {
		return nil, false
	}
	return m[addr : addr+n], true
}

func (m flatMem) put32(addr uint64, v uint32) { binary.LittleEndian.PutUint32(m[addr:], v) }
func (m flatMem) put64(addr uint64, v uint64) { binary.LittleEndian.PutUint64(m[addr:], v) }

// Addresses of the structures in the example memory, laid out as QEMU's
// pvh.bin option ROM does: the start information, module list and memory
// map in low memory, the command line and the module elsewhere.
const (
	infoAt    = 0x100
	modlistAt = 0x200
	memmapAt  = 0x300
	cmdlineAt = 0x400
	moduleAt  = 0x1000
)

var qemuMap = []multiboot.Region{
	{Base: 0, Length: 0x9fc00, Type: multiboot.Available},
	{Base: 0x9fc00, Length: 0x400, Type: multiboot.Reserved},
	{Base: 0xf0000, Length: 0x10000, Type: multiboot.Reserved},
	{Base: 0x100000, Length: 0x7ee0000, Type: multiboot.Available},
	{Base: 0xfeffc000, Length: 0x4000, Type: multiboot.Reserved},
}

// example is a version-1 start information with a command line, one
// module (a newc archive's first bytes) and QEMU's memory map.
func example() flatMem {
	m := make(flatMem, 0x2000)
	m.put32(infoAt+offMagic, Magic)
	m.put32(infoAt+offVersion, 1)
	m.put32(infoAt+offNrModules, 1)
	m.put64(infoAt+offModlist, modlistAt)
	m.put64(infoAt+offCmdline, cmdlineAt)
	m.put64(infoAt+offRSDP, 0xf5a10)
	m.put64(infoAt+offMemmap, memmapAt)
	m.put32(infoAt+offMemmapEntries, uint32(len(qemuMap)))
	copy(m[cmdlineAt:], "ip=dhcp warren.cwd=/x\x00")
	copy(m[moduleAt:], "070701")
	m.put64(modlistAt, moduleAt)
	m.put64(modlistAt+8, 0x800)
	for i, r := range qemuMap {
		e := uint64(memmapAt + i*memmapEntryLen)
		m.put64(e, r.Base)
		m.put64(e+8, r.Length)
		m.put32(e+16, uint32(r.Type))
	}
	return m
}

func TestParse(t *testing.T) {
	var info multiboot.Info
	if err := Parse(example(), infoAt, &info); err != nil {
		t.Fatal(err)
	}
	if got := string(info.Cmdline); got != "ip=dhcp warren.cwd=/x" {
		t.Errorf("command line %q", got)
	}
	if len(info.LoaderName) != 0 {
		t.Errorf("loader name %q: PVH has none (the kernel skips no image path)", info.LoaderName)
	}
	mods := info.ModuleList()
	if len(mods) != 1 || mods[0].Start != moduleAt || mods[0].End != moduleAt+0x800 ||
		len(mods[0].Data) != 0x800 || string(mods[0].Data[:6]) != "070701" || len(mods[0].Cmdline) != 0 {
		t.Errorf("modules %+v", mods)
	}
	if got := info.MemoryMap(); len(got) != len(qemuMap) || got[3] != qemuMap[3] {
		t.Errorf("memory map %+v", got)
	}
	if info.RSDP != 0xf5a10 {
		t.Errorf("RSDP %#x", info.RSDP)
	}
	var ram [multiboot.MaxRegions]multiboot.Range
	n := info.AvailableRAM(ram[:])
	want := []multiboot.Range{{Start: 0, End: 0x9f000}, {Start: 0x100000, End: 0x7fe0000}}
	if n != len(want) || ram[0] != want[0] || ram[1] != want[1] {
		t.Errorf("available RAM %x, want %x", ram[:n], want)
	}
}

// TestParseBad breaks one thing at a time in the example.
func TestParseBad(t *testing.T) {
	tests := []struct {
		name  string
		addr  uint64
		spoil func(m flatMem) flatMem
		want  error
	}{
		{"outside memory", 0x10000, nil, ErrInfoRange},
		{"truncated", 0, func(m flatMem) flatMem { return m[:infoAt+infoLen-1] }, ErrInfoRange},
		{"truncated before version", 0, func(m flatMem) flatMem { return m[:infoAt+6] }, ErrInfoRange},
		{"bad magic", 0, func(m flatMem) flatMem { m.put32(infoAt, 0x2BADB002); return m }, ErrMagic},
		{"version 0", 0, func(m flatMem) flatMem { m.put32(infoAt+offVersion, 0); return m }, ErrVersion},
		{"command line outside memory", 0, func(m flatMem) flatMem { m.put64(infoAt+offCmdline, 1<<40); return m }, ErrCmdlineRange},
		{"command line without NUL", 0, func(m flatMem) flatMem {
			m = append(m, make([]byte, multiboot.MaxCmdline+2)...)
			for i := range multiboot.MaxCmdline + 1 {
				m[0x2000+i] = 'x'
			}
			m.put64(infoAt+offCmdline, 0x2000)
			return m
		}, ErrCmdlineTooLong},
		{"command line runs off memory", 0, func(m flatMem) flatMem { m[len(m)-1] = 'x'; m.put64(infoAt+offCmdline, uint64(len(m)-1)); return m }, ErrCmdlineRange},
		{"absurd module count", 0, func(m flatMem) flatMem { m.put32(infoAt+offNrModules, 0xffffffff); return m }, ErrTooManyModules},
		{"module list outside memory", 0, func(m flatMem) flatMem { m.put64(infoAt+offModlist, 1<<63); return m }, ErrModulesRange},
		{"module outside memory", 0, func(m flatMem) flatMem { m.put64(modlistAt+8, 1<<20); return m }, ErrModuleRange},
		{"module wraps", 0, func(m flatMem) flatMem { m.put64(modlistAt+8, ^uint64(0)); return m }, ErrModuleRange},
		{"module string outside memory", 0, func(m flatMem) flatMem { m.put64(modlistAt+16, 1<<32); return m }, ErrModuleCmdlineRange},
		{"absurd memory map count", 0, func(m flatMem) flatMem { m.put32(infoAt+offMemmapEntries, 0xffffffff); return m }, ErrMemmapTooLong},
		{"memory map outside memory", 0, func(m flatMem) flatMem { m.put64(infoAt+offMemmap, 0x1ff0); return m }, ErrMemmapRange},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := example()
			if tt.spoil != nil {
				m = tt.spoil(m)
			}
			addr := tt.addr
			if addr == 0 {
				addr = infoAt
			}
			var info multiboot.Info
			if err := Parse(m, addr, &info); !errors.Is(err, tt.want) {
				t.Errorf("got %v, want %v", err, tt.want)
			}
		})
	}
}

// TestParseEmpty: no modules, no memory map and a null command line are
// not errors, whatever the pointers say; the kernel finds no RAM later.
func TestParseEmpty(t *testing.T) {
	m := example()
	m.put32(infoAt+offNrModules, 0)
	m.put64(infoAt+offModlist, 1<<63)
	m.put32(infoAt+offMemmapEntries, 0)
	m.put64(infoAt+offMemmap, 1<<63)
	m.put64(infoAt+offCmdline, 0)
	var info multiboot.Info
	if err := Parse(m, infoAt, &info); err != nil {
		t.Fatal(err)
	}
	var ram [multiboot.MaxRegions]multiboot.Range
	if info.NumModules != 0 || info.NumRegions != 0 || len(info.Cmdline) != 0 || info.AvailableRAM(ram[:]) != 0 {
		t.Errorf("got %+v", info)
	}
}

// TestParseManyRegions: entries past multiboot.MaxRegions are counted, as
// in Multiboot's map.
func TestParseManyRegions(t *testing.T) {
	const n = multiboot.MaxRegions + 5
	m := example()
	m = append(m, make([]byte, n*memmapEntryLen)...)
	for i := range n {
		e := uint64(0x2000 + i*memmapEntryLen)
		m.put64(e, uint64(i)<<20)
		m.put64(e+8, 1<<20)
		m.put32(e+16, uint32(multiboot.Available))
	}
	m.put64(infoAt+offMemmap, 0x2000)
	m.put32(infoAt+offMemmapEntries, n)
	var info multiboot.Info
	if err := Parse(m, infoAt, &info); err != nil {
		t.Fatal(err)
	}
	if info.NumRegions != multiboot.MaxRegions || info.DroppedRegions != 5 {
		t.Errorf("%d regions, %d dropped", info.NumRegions, info.DroppedRegions)
	}
}

func TestParseAllocs(t *testing.T) {
	var mem multiboot.Memory = example() // the interface conversion allocates once
	var info multiboot.Info
	if a := testing.AllocsPerRun(10, func() { _ = Parse(mem, infoAt, &info) }); a != 0 {
		t.Errorf("%v allocations", a)
	}
}

// FuzzParse treats the input as physical memory from address 0 with the
// start information at the address in its first two bytes. Parse must not
// panic, and what it records must stay within its limits and memory.
func FuzzParse(f *testing.F) {
	seed := example()
	binary.LittleEndian.PutUint16(seed, infoAt)
	f.Add([]byte(seed))
	f.Add([]byte{8, 0, 0, 0, 0, 0, 0, 0, 0x78, 0xc5, 0x6e, 0x33, 1, 0, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 2 {
			return
		}
		var info multiboot.Info
		err := Parse(flatMem(data), uint64(binary.LittleEndian.Uint16(data)), &info)
		if info.NumRegions > multiboot.MaxRegions || info.NumModules > multiboot.MaxModules || len(info.Cmdline) > multiboot.MaxCmdline {
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
		var out [multiboot.MaxRegions]multiboot.Range
		n := info.AvailableRAM(out[:])
		for k, r := range out[:n] {
			if r.Start >= r.End || (k > 0 && out[k-1].End >= r.Start) {
				t.Fatalf("bad ranges %x", out[:n])
			}
		}
	})
}
