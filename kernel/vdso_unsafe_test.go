package kernel

import (
	"bytes"
	"debug/elf"
	"testing"
	"unsafe"

	"golang.org/x/arch/x86/x86asm"

	"warren.dev/kernel/procabi"
	"warren.dev/mm/pagetable"
)

// TestVDSOCode decodes the vDSO's code as this test binary assembled it:
// each function starts at its offset, the whole fits vdsoCodeSize, padding
// lies only before an entry or at the end and is never run into, jumps
// stay inside, and it reaches memory only at its own address
// (RIP-relative, to find its page), at the clockData fields on the page
// before its own (through R9), and at the caller's buffers (SI, DI): so it
// runs wherever the vDSO page is mapped with the clock page before it.
func TestVDSOCode(t *testing.T) {
	base := vdsoCodeAddr()
	code := physBytes(base, vdsoCodeSize)
	fields := map[int64]bool{}
	for _, off := range []uintptr{unsafe.Offsetof(clockData{}.tsc0), unsafe.Offsetof(clockData{}.mult), unsafe.Offsetof(clockData{}.realBase)} {
		fields[int64(off)-pageSize] = true
	}
	entries := map[int]bool{0: true, vdsoClockGettimeOffset: true}
	starts := map[int]bool{}
	var jumps []int
	var prev x86asm.Inst
	for pc := 0; pc < len(code); {
		in, err := x86asm.Decode(code[pc:], 64)
		if err != nil {
			t.Fatalf("%#x: %v", pc, err)
		}
		starts[pc] = true
		next := pc + in.Len
		pad, prevPad := in.Op == x86asm.NOP, prev.Op == x86asm.NOP
		switch {
		case entries[pc] && pad:
			t.Errorf("%#x: padding at an entry: a function outgrew its room", pc)
		case pc > 0 && pad && !prevPad && prev.Op != x86asm.RET && prev.Op != x86asm.JMP:
			t.Errorf("%#x: %v runs into padding", pc, prev)
		case !pad && prevPad && !entries[pc]:
			t.Errorf("%#x: %v after padding, not at an entry", pc, in)
		case in.Op == x86asm.CALL:
			t.Errorf("%#x: %v: the vDSO calls nothing", pc, in)
		}
		for _, a := range in.Args {
			switch a := a.(type) {
			case x86asm.Mem:
				a.Disp = int64(int32(a.Disp)) // x86asm leaves 32-bit displacements unextended
				switch {
				case pad:
				case a.Base == x86asm.RIP:
					if in.Op != x86asm.LEA || uint64(next)+uint64(a.Disp) != 0 {
						t.Errorf("%#x: %v: RIP-relative to anything but its own start", pc, in)
					}
				case a.Base == x86asm.R9 && a.Index == 0 && fields[a.Disp]:
				case (a.Base == x86asm.RSI || a.Base == x86asm.RDI) && a.Index == 0 && (a.Disp == 0 || a.Disp == 8):
				default:
					t.Errorf("%#x: %v: memory operand %v", pc, in, a)
				}
			case x86asm.Rel:
				jumps = append(jumps, next+int(a))
			}
		}
		pc, prev = next, in
	}
	if prev.Op != x86asm.NOP && prev.Op != x86asm.RET && prev.Op != x86asm.JMP {
		t.Errorf("the code runs past vdsoCodeSize")
	}
	for _, j := range jumps {
		if !starts[j] {
			t.Errorf("jump to %#x, not an instruction of the vDSO", j)
		}
	}
	for e := range entries {
		if !starts[e] {
			t.Errorf("no instruction starts at entry %#x", e)
		}
	}
}

// TestVDSOPage checks the vDSO page as every address space sees it: an
// ELF image whose two symbols, of version LINUX_2.6, point at the code.
func TestVDSOPage(t *testing.T) {
	page := make([]byte, pageSize)
	code := physBytes(vdsoCodeAddr(), vdsoCodeSize)
	if err := fillVDSOPage(page, code); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(page[vdsoCodeOffset:vdsoCodeOffset+vdsoCodeSize], code) {
		t.Errorf("the code is not at vdsoCodeOffset")
	}
	f, err := elf.NewFile(bytes.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	syms, err := f.DynamicSymbols()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]uint64{
		"__vdso_clock_gettime": procabi.VDSO + vdsoCodeOffset + vdsoClockGettimeOffset,
		"__vdso_gettimeofday":  procabi.VDSO + vdsoCodeOffset,
	}
	for _, s := range syms {
		if addr, ok := want[s.Name]; ok && s.Value == addr && s.Version == "LINUX_2.6" && elf.ST_TYPE(s.Info) == elf.STT_FUNC {
			delete(want, s.Name)
		}
	}
	if len(want) != 0 {
		t.Errorf("missing or wrong symbols %v in %+v", want, syms)
	}
}

// TestVDSOLayout checks where the vDSO lies: above every process's memory
// (so no executable, break, mmap area or stack of a process overlaps it,
// and its mmap, munmap, mprotect and madvise cannot reach it) and the
// program's, in a top-level entry of its own, not in the last page of
// the lower half.
func TestVDSOLayout(t *testing.T) {
	if procabi.VDSOData%pageSize != 0 || procabi.VDSO != procabi.VDSOData+pageSize {
		t.Errorf("the clock page must be the page before the vDSO page")
	}
	if procabi.VDSOData < procabi.UserTop || procabi.VDSOData < userTop || vdsoRegion < procabi.UserTop {
		t.Errorf("the vDSO overlaps user memory")
	}
	if vdsoRegion>>39 != (procabi.VDSO+pageSize-1)>>39 || procabi.VDSO+pageSize >= 1<<47 {
		t.Errorf("the vDSO leaves its top-level entry or takes the lower half's last page")
	}
	for _, r := range []uint64{kstackRegion, aliasBase, windowBase} {
		if r>>39&511 == vdsoRegion>>39&511 {
			t.Errorf("the vDSO's top-level entry is also used at %#x", r)
		}
	}
	if vdsoCodeOffset+vdsoCodeSize > pageSize {
		t.Errorf("the code does not fit the vDSO page")
	}
}

// TestVDSOMapping checks the page-table entries: both pages user, neither
// writable, only the code executable.
func TestVDSOMapping(t *testing.T) {
	var tables pagetable.Tables
	if err := tables.Init(fakeTables{}, &fakeFrames{next: 0x10_0000}); err != nil {
		t.Fatal(err)
	}
	const data, text = 0x5000, 0x6000
	if err := mapVDSO(&tables, data, text); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		va, pa uint64
		exec   bool
	}{{procabi.VDSOData, data, false}, {procabi.VDSO, text, true}} {
		pa, _, flags, ok := tables.Lookup(c.va)
		if !ok || pa != c.pa {
			t.Fatalf("%#x maps %#x (%v), want %#x", c.va, pa, ok, c.pa)
		}
		if flags&pagetable.User == 0 || flags&pagetable.Writable != 0 || (flags&pagetable.NoExecute == 0) != c.exec {
			t.Errorf("%#x: flags %v", c.va, flags)
		}
	}
}

// fakeTables and fakeFrames back page tables with host memory.
type fakeTables struct{}

var fakeTableMem = map[uint64]*[512]uint64{}

func (fakeTables) Table(pa uint64) *[512]uint64 {
	if fakeTableMem[pa] == nil {
		fakeTableMem[pa] = new([512]uint64)
	}
	return fakeTableMem[pa]
}

type fakeFrames struct{ next uint64 }

func (f *fakeFrames) AllocFrame() (uint64, bool) {
	f.next += pageSize
	return f.next, true
}

func (f *fakeFrames) FreeFrame(uint64) {}
