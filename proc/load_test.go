package proc

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"os"
	"slices"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"warren.dev/kernel/procabi"
	"warren.dev/proc/proctest"
)

var (
	testArgv = []string{"/bin/prog", "-flag", "two words", ""}
	testEnvv = []string{"HOME=/", "GODEBUG=x=1"}
)

func TestLoadRealExecutables(t *testing.T) {
	for _, kind := range []string{proctest.Go, proctest.C, proctest.CPIE} {
		t.Run(kind, func(t *testing.T) {
			exe := proctest.Read(t, kind)
			mem := newFakeMemory()
			img, err := Load(mem, exe, testArgv, testEnvv)
			if err != nil {
				t.Fatal(err)
			}
			f, err := elf.NewFile(bytes.NewReader(exe))
			if err != nil {
				t.Fatal(err)
			}
			base := uint64(0)
			if kind == proctest.CPIE {
				base = PIEBase
			}
			if img.Entry != f.Entry+base {
				t.Errorf("entry %#x, want %#x", img.Entry, f.Entry+base)
			}
			checkSegments(t, mem, exe, img)
			checkStack(t, mem, exe, img, testArgv, testEnvv, false)
		})
	}
}

// checkSegments checks that every PT_LOAD segment of exe is in mem, with
// the union of the protections of the segments touching each page, and
// that nothing else is mapped but the stack.
func checkSegments(t *testing.T, mem *fakeMemory, exe []byte, img Image) {
	t.Helper()
	x, err := Parse(exe)
	if err != nil {
		t.Fatal(err)
	}
	want := map[uint64]int{} // page → protection
	var highest uint64
	for _, s := range x.Segments {
		got, err := mem.read(s.Addr, s.Size)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got[:len(s.Data)], s.Data) || !allZero(got[len(s.Data):]) {
			t.Errorf("segment at %#x: contents differ from the file's bytes followed by zeros", s.Addr)
		}
		for p := pageDown(s.Addr); p < s.end(); p += PageSize {
			want[p] |= s.Prot
		}
		highest = max(highest, s.end())
	}
	for p, prot := range want {
		if got := mem.prot(p); got != prot {
			t.Errorf("page %#x: protection %d, want %d", p, got, prot)
		}
	}
	if n := len(mem.pages) - len(want) - StackSize/PageSize; n != 0 {
		t.Errorf("%d pages mapped beyond the segments and the stack", n)
	}
	if img.Brk != pageUp(highest) {
		t.Errorf("brk %#x, want %#x", img.Brk, pageUp(highest))
	}
}

func allZero(b []byte) bool { return !slices.ContainsFunc(b, func(c byte) bool { return c != 0 }) }

// checkStack decodes the initial stack word by word and returns the
// auxiliary vector.
func checkStack(t *testing.T, mem *fakeMemory, exe []byte, img Image, argv, envv []string, execStack bool) map[uint64]uint64 {
	t.Helper()
	sp := img.Stack
	if sp%16 != 0 || sp < StackTop-StackSize || sp >= StackTop {
		t.Fatalf("stack pointer %#x: not 16-byte aligned in [%#x, %#x)", sp, StackTop-StackSize, StackTop)
	}
	wantProt := unix.PROT_READ | unix.PROT_WRITE
	if execStack {
		wantProt |= unix.PROT_EXEC
	}
	for p := uint64(StackTop - StackSize); p < StackTop; p += PageSize {
		if got := mem.prot(p); got != wantProt {
			t.Fatalf("stack page %#x: protection %d, want %d", p, got, wantProt)
		}
	}
	word := func() uint64 {
		b, err := mem.read(sp, 8)
		if err != nil {
			t.Fatal(err)
		}
		sp += 8
		return binary.LittleEndian.Uint64(b)
	}
	str := func(addr uint64) string {
		b, err := mem.read(addr, StackTop-addr)
		if err != nil {
			t.Fatalf("string at %#x: %v", addr, err)
		}
		s, _, ok := strings.Cut(string(b), "\x00")
		if !ok {
			t.Fatalf("string at %#x is not NUL-terminated below the stack top", addr)
		}
		return s
	}
	strs := func() []string {
		var v []string
		for a := word(); a != 0; a = word() {
			v = append(v, str(a))
		}
		return v
	}
	argc := word()
	if got := strs(); uint64(len(got)) != argc || !slices.Equal(got, argv) {
		t.Errorf("argc %d, argv %q; want %q", argc, got, argv)
	}
	if got := strs(); !slices.Equal(got, envv) {
		t.Errorf("envp %q, want %q", got, envv)
	}
	var keys []uint64
	aux := map[uint64]uint64{}
	for {
		k, v := word(), word()
		if k == atNull {
			break
		}
		if _, dup := aux[k]; dup {
			t.Errorf("auxv key %d twice", k)
		}
		keys = append(keys, k)
		aux[k] = v
	}
	wantKeys := []uint64{atSysinfoEhdr, atMinSigStkSz, atHwcap, atPagesz, atClktck, atPhdr, atPhent, atPhnum, atBase, atFlags, atEntry,
		atUID, atEUID, atGID, atEGID, atSecure, atRandom, atHwcap2, atExecfn, atPlatform}
	if !slices.Equal(keys, wantKeys) {
		t.Errorf("auxv keys %v, want %v", keys, wantKeys)
	}
	var hdr elf.Header64
	binary.Decode(exe, binary.LittleEndian, &hdr)
	phdrs, err := mem.read(aux[atPhdr], uint64(hdr.Phnum)*phentSize)
	if err != nil || !bytes.Equal(phdrs, exe[hdr.Phoff:][:len(phdrs)]) {
		t.Errorf("AT_PHDR %#x does not point at the program headers (%v)", aux[atPhdr], err)
	}
	for k, want := range map[uint64]uint64{
		atPhent: phentSize, atPhnum: uint64(hdr.Phnum), atPagesz: PageSize, atClktck: 100, atEntry: img.Entry,
		atBase: 0, atFlags: 0, atUID: 0, atEUID: 0, atGID: 0, atEGID: 0, atSecure: 0, atHwcap: hwcap(), atHwcap2: 0,
	} {
		if aux[k] != want {
			t.Errorf("auxv %d = %#x, want %#x", k, aux[k], want)
		}
	}
	// The vDSO the kernel maps in every process lies above all the
	// loader can map (fakeMemory refuses addresses from UserTop on), so
	// no segment, stack, break or mmap area overlaps it.
	if aux[atSysinfoEhdr] != procabi.VDSO || procabi.VDSOData < procabi.UserTop || procabi.VDSO < StackTop {
		t.Errorf("AT_SYSINFO_EHDR %#x, want %#x above the user range", aux[atSysinfoEhdr], uint64(procabi.VDSO))
	}
	if aux[atMinSigStkSz] < 2048 {
		t.Errorf("AT_MINSIGSTKSZ %d", aux[atMinSigStkSz])
	}
	if got := str(aux[atExecfn]); got != argv[0] {
		t.Errorf("AT_EXECFN %q, want %q", got, argv[0])
	}
	if got := str(aux[atPlatform]); got != "x86_64" {
		t.Errorf("AT_PLATFORM %q", got)
	}
	if r, err := mem.read(aux[atRandom], 16); err != nil || allZero(r) || aux[atRandom] < sp || aux[atRandom]+16 > StackTop {
		t.Errorf("AT_RANDOM %#x: %x, %v; want 16 random bytes above the vectors", aux[atRandom], r, err)
	}
	return aux
}

func TestLoadSharedPage(t *testing.T) {
	e := sharedPage()
	e.progs[3].Flags |= uint32(elf.PF_X) // executable stack
	exe := e.bytes()
	mem := newFakeMemory()
	img, err := Load(mem, exe, []string{"/bin/x"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkSegments(t, mem, exe, img)
	checkStack(t, mem, exe, img, []string{"/bin/x"}, nil, true)
	// The page holding the end of text and the start of data has both.
	if got := mem.prot(0x401000); got != unix.PROT_READ|unix.PROT_WRITE|unix.PROT_EXEC {
		t.Errorf("shared page: protection %d", got)
	}
}

func TestLoadRandomDiffers(t *testing.T) {
	exe := sharedPage().bytes()
	var random [2][]byte
	for i := range random {
		mem := newFakeMemory()
		img, err := Load(mem, exe, []string{"/bin/x"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		aux := checkStack(t, mem, exe, img, []string{"/bin/x"}, nil, false)
		random[i], _ = mem.read(aux[atRandom], 16)
	}
	if bytes.Equal(random[0], random[1]) {
		t.Errorf("two loads got the same AT_RANDOM bytes %x", random[0])
	}
}

func TestLoadArgumentErrors(t *testing.T) {
	exe := sharedPage().bytes()
	for _, tc := range []struct {
		name       string
		argv, envv []string
		want       string
	}{
		{"no argv", nil, nil, "no argv[0]"},
		{"NUL", []string{"/bin/x", "a\x00b"}, nil, `"a\x00b" contains a NUL byte`},
		{"too large", []string{"/bin/x"}, []string{strings.Repeat("x", maxArgSpace)}, "more than 2097152"},
	} {
		mem := newFakeMemory()
		if _, err := Load(mem, exe, tc.argv, tc.envv); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an error containing %q", tc.name, err, tc.want)
		}
		if len(mem.pages) != 0 {
			t.Errorf("%s: memory was mapped before the arguments were checked", tc.name)
		}
	}
}

func TestLoadDynamic(t *testing.T) {
	exe, err := os.ReadFile("/bin/true")
	if err != nil {
		t.Skip(err)
	}
	_, err = Load(newFakeMemory(), exe, []string{"/bin/true"}, nil)
	// Debian's is /lib64/ld-linux-x86-64.so.2.
	if err == nil || !strings.HasPrefix(err.Error(), "dynamically linked (interpreter /") ||
		!strings.HasSuffix(err.Error(), ".so.2): Warren runs static executables only") {
		t.Errorf("got %v, want the dynamic-linking error naming the interpreter", err)
	}
}
