package vdso

import (
	"bytes"
	"debug/elf"
	"fmt"
	"testing"
)

const testBase = 0x7fff_f7ff_0000

var testSyms = []Symbol{
	{ClockGettime, 0x40_1230},
	{Gettimeofday, 0x40_1280},
	{Getrandom, 0xffff_ffff_8000_1000}, // above base: any address works
}

func build(t *testing.T, base uint64, syms []Symbol) []byte {
	t.Helper()
	buf := make([]byte, 4096)
	n, err := Build(buf, base, syms)
	if err != nil {
		t.Fatal(err)
	}
	if want, err := Size(syms); err != nil || want != n {
		t.Fatalf("Size = %d, %v; Build wrote %d", want, err, n)
	}
	return buf[:n]
}

func TestRuntimeHashes(t *testing.T) {
	// The runtime precomputes these; a wrong elfHash breaks lookups.
	for _, k := range rtSymbolKeys {
		if h := elfHash(k.name); h != k.symHash {
			t.Errorf("elfHash(%q) = %#x, runtime has %#x", k.name, h, k.symHash)
		}
	}
	if h := elfHash(Version); h != rtLinuxVersion.verHash {
		t.Errorf("elfHash(%q) = %#x, runtime has %#x", Version, h, rtLinuxVersion.verHash)
	}
}

func TestRuntimeFindsSymbols(t *testing.T) {
	for _, syms := range [][]Symbol{testSyms, testSyms[:2], testSyms[1:2], {testSyms[2], testSyms[0]}} {
		img := build(t, testBase, syms)
		found, info, ver := rtLookup(t, testBase, img)
		if ver != versionIndex {
			t.Errorf("vdsoFindVersion = %d, want %d", ver, versionIndex)
		}
		if info.loadOffset != 0 {
			t.Errorf("load offset %#x, want 0", info.loadOffset)
		}
		if len(found) != len(syms) {
			t.Errorf("runtime found %v, want %v", found, syms)
		}
		for _, s := range syms {
			if got, ok := found[s.Name]; !ok || got != s.Addr {
				t.Errorf("%s: runtime resolved %#x (found %v), want %#x", s.Name, got, ok, s.Addr)
			}
		}
	}
}

func TestRuntimeNoSymbols(t *testing.T) {
	found, _, _ := rtLookup(t, testBase, build(t, testBase, nil))
	if len(found) != 0 {
		t.Errorf("found %v in an empty image", found)
	}
}

func TestDebugELF(t *testing.T) {
	img := build(t, testBase, testSyms)
	f, err := elf.NewFile(bytes.NewReader(img))
	if err != nil {
		t.Fatal(err)
	}
	if f.Type != elf.ET_DYN || f.Machine != elf.EM_X86_64 || f.Class != elf.ELFCLASS64 {
		t.Errorf("header: %v %v %v", f.Type, f.Machine, f.Class)
	}
	for i, name := range []string{"", ".hash", ".dynsym", ".dynstr", ".gnu.version", ".gnu.version_d", ".dynamic", ".shstrtab"} {
		if f.Sections[i].Name != name {
			t.Errorf("section %d is %q, want %q", i, f.Sections[i].Name, name)
		}
	}
	load := f.Progs[0]
	if load.Type != elf.PT_LOAD || load.Vaddr != testBase || load.Off != 0 || load.Memsz != uint64(len(img)) {
		t.Errorf("PT_LOAD %+v", load.ProgHeader)
	}
	syms, err := f.DynamicSymbols()
	if err != nil {
		t.Fatal(err)
	}
	if len(syms) != len(testSyms) {
		t.Fatalf("%d dynamic symbols, want %d", len(syms), len(testSyms))
	}
	for i, s := range syms {
		w := testSyms[i]
		if s.Name != w.Name || s.Value != w.Addr || s.Section != elf.SHN_ABS ||
			elf.ST_TYPE(s.Info) != elf.STT_FUNC || elf.ST_BIND(s.Info) != elf.STB_GLOBAL {
			t.Errorf("symbol %d = %+v, want %s at %#x", i, s, w.Name, w.Addr)
		}
		if !s.HasVersion || s.Version != Version || s.VersionIndex.Index() != versionIndex {
			t.Errorf("symbol %s version = %v %q %d", s.Name, s.HasVersion, s.Version, s.VersionIndex)
		}
	}
	vers, err := f.DynamicVersions()
	if err != nil {
		t.Fatal(err)
	}
	if len(vers) != 2 || vers[0].Name != SOName || vers[0].Flags != elf.VER_FLG_BASE ||
		vers[1].Name != Version || vers[1].Index != versionIndex {
		t.Errorf("versions %+v", vers)
	}
	if so, err := f.DynString(elf.DT_SONAME); err != nil || len(so) != 1 || so[0] != SOName {
		t.Errorf("DT_SONAME = %q, %v", so, err)
	}
	for tag, want := range map[elf.DynTag]uint64{
		elf.DT_SYMTAB: f.Section(".dynsym").Addr,
		elf.DT_STRTAB: f.Section(".dynstr").Addr,
		elf.DT_HASH:   f.Section(".hash").Addr,
		elf.DT_VERSYM: f.Section(".gnu.version").Addr,
		elf.DT_VERDEF: f.Section(".gnu.version_d").Addr,
	} {
		if v, err := f.DynValue(tag); err != nil || len(v) != 1 || v[0] != want {
			t.Errorf("%v = %#x, %v; want %#x", tag, v, err, want)
		}
	}
}

func TestErrors(t *testing.T) {
	buf := make([]byte, 4096)
	cases := []struct {
		buf  []byte
		base uint64
		syms []Symbol
		want error
	}{
		{buf[:100], testBase, testSyms, ErrShortBuffer},
		{buf, testBase + 8, testSyms, ErrBadBase},
		{make([]byte, 1<<16), 0xffff_ffff_ffff_f000, manySyms(200), ErrBadBase},
		{buf, testBase, []Symbol{{"", 1}}, ErrBadSymbol},
		{buf, testBase, []Symbol{{"a\x00b", 1}}, ErrBadSymbol},
		{buf, testBase, []Symbol{{"a", 0}}, ErrBadSymbol},
		{buf, testBase, []Symbol{{"a", 1}, {"a", 2}}, ErrBadSymbol},
		{buf, testBase, []Symbol{{string(make([]byte, 5000)) + "x", 1}}, ErrBadSymbol},
		{buf, testBase, []Symbol{{string(bytes.Repeat([]byte{'x'}, 5000)), 1}}, ErrShortBuffer},
	}
	for i, c := range cases {
		if n, err := Build(c.buf, c.base, c.syms); err != c.want || n != 0 {
			t.Errorf("case %d: Build = %d, %v; want %v", i, n, err, c.want)
		}
	}
	// Exactly enough room works.
	n, _ := Size(testSyms)
	if _, err := Build(buf[:n], testBase, testSyms); err != nil {
		t.Errorf("exact buffer: %v", err)
	}
}

func manySyms(n int) []Symbol {
	s := make([]Symbol, n)
	for i := range s {
		s[i] = Symbol{fmt.Sprintf("sym%d", i), uint64(i + 1)}
	}
	return s
}

func TestManySymbols(t *testing.T) {
	// Not what the kernel does, but exercises multi-entry hash chains.
	syms := append(manySyms(300), testSyms...)
	buf := make([]byte, 1<<16)
	n, err := Build(buf, testBase, syms)
	if err != nil {
		t.Fatal(err)
	}
	found, _, _ := rtLookup(t, testBase, buf[:n])
	for _, s := range testSyms {
		if found[s.Name] != s.Addr {
			t.Errorf("%s = %#x, want %#x", s.Name, found[s.Name], s.Addr)
		}
	}
}

func TestBuildDoesNotAllocate(t *testing.T) {
	buf := make([]byte, 4096)
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := Build(buf, testBase, testSyms); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("Build allocates %v times", allocs)
	}
}

func FuzzBuild(f *testing.F) {
	f.Add("__vdso_clock_gettime", uint64(0x401000), "x", uint64(1), 512)
	f.Fuzz(func(t *testing.T, n1 string, a1 uint64, n2 string, a2 uint64, size int) {
		if size < 0 || size > 1<<16 {
			return
		}
		buf := make([]byte, size)
		syms := []Symbol{{n1, a1}, {n2, a2}}
		n, err := Build(buf, testBase, syms)
		if err != nil {
			return
		}
		f, err := elf.NewFile(bytes.NewReader(buf[:n]))
		if err != nil {
			t.Fatal(err)
		}
		ds, err := f.DynamicSymbols()
		if err != nil || len(ds) != 2 || ds[0].Value != a1 || ds[1].Name != n2 {
			t.Fatalf("symbols %+v, %v", ds, err)
		}
	})
}
