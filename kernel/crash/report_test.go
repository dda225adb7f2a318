package crash

import (
	"errors"
	"runtime"
	"strings"
	"testing"

	"warren.dev/kernel/cpu"
)

// fakeSym knows two functions.
type fakeSym struct{}

func (fakeSym) Func(pc uint64) (string, string, int, bool) {
	switch {
	case pc >= 0x401000 && pc < 0x401100:
		return "warren.dev/kernel.foo", "kernel/foo.go", 30 + int(pc-0x401000)/4, true
	case pc >= 0x402000 && pc < 0x402100:
		return "warren.dev/kernel.bar", "kernel/bar.go", 7, true
	}
	return "", "", 0, false
}

func (fakeSym) Entry(pc uint64) (uint64, bool) {
	if _, _, _, ok := (fakeSym{}).Func(pc); ok {
		return pc &^ 0xfff, true
	}
	return 0, false
}

// nameOnly is a Symbolizer without Entry.
type nameOnly struct{}

func (nameOnly) Func(pc uint64) (string, string, int, bool) { return fakeSym{}.Func(pc) }

func pfReport() *Report {
	return &Report{
		Frame: cpu.TrapFrame{
			RAX: 8, RBX: 0xbbbb, R15: 0xf15f15,
			Vector: 14, ErrorCode: 0x2,
			RIP: 0x401012, CS: cpu.KernelCS, RFLAGS: 0x10246, RSP: 0xffff8000_0000ff00, SS: cpu.KernelDS,
		},
		CR0: 0x80050033, CR2: 0x8, CR3: 0x1000, CR4: 0x3406a0,
		FSBase: 0x7000, GSBase: 0x8000,
		Code:   []byte{0x48, 0x8b, 0x18, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90},
		Stack:  []uint64{0x402010, 0xdead},
		Thread: 3,
		What:   "fault in kernel code",
	}
}

func write(t *testing.T, r *Report, sym Symbolizer) string {
	t.Helper()
	var b strings.Builder
	if err := Write(&b, r, sym); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func wantLines(t *testing.T, out string, lines ...string) {
	t.Helper()
	have := map[string]bool{}
	for _, l := range strings.Split(out, "\n") {
		have[l] = true
	}
	bad := false
	for _, l := range lines {
		if !have[l] {
			t.Errorf("missing line %q", l)
			bad = true
		}
	}
	if bad {
		t.Logf("output:\n%s", out)
	}
}

func TestPageFault(t *testing.T) {
	out := write(t, pfReport(), fakeSym{})
	if !strings.HasPrefix(out, "kernel fault: #PF page fault\n") {
		t.Errorf("header:\n%s", out)
	}
	wantLines(t, out,
		"what: fault in kernel code",
		"thread=3",
		"vector=14",
		"error=0x2 not-present write supervisor",
		"cr2=0x0000000000000008",
		"rip=0x0000000000401012 warren.dev/kernel.foo+0x12 kernel/foo.go:34",
		"rsp=0xffff80000000ff00",
		"rflags=0x0000000000010246 [PF ZF IF RF]",
		"rax=0x0000000000000008",
		"rbx=0x000000000000bbbb",
		"r15=0x0000000000f15f15",
		"cs=0x8 ring=0",
		"ss=0x10",
		"cr0=0x0000000080050033 [PE MP ET NE WP AM PG]",
		"cr3=0x0000000000001000",
		"cr4=0x00000000003406a0 [PAE PGE OSFXSR OSXMMEXCPT OSXSAVE SMEP SMAP]",
		"fsbase=0x0000000000007000",
		"gsbase=0x0000000000008000",
		"code: 48 8b 18 90 90 90 90 90 90 90 90 90 90 90 90 90",
		"insn: mov (%rax),%rbx",
		"backtrace:",
		"    at warren.dev/kernel.foo+0x12 kernel/foo.go:34",
		"    at warren.dev/kernel.bar+0x10 kernel/bar.go:7",
		"    at 0xdead ?",
	)
	for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if l == "" {
			t.Errorf("blank line in:\n%s", out)
		}
	}
}

func TestTruncatedCode(t *testing.T) {
	r := pfReport()
	r.Code = []byte{0x48, 0x8b}
	out := write(t, r, fakeSym{})
	wantLines(t, out, "code: 48 8b", "insn: (could not decode) 48 8b")
	r.Code = []byte{0xff, 0xff}
	wantLines(t, write(t, r, fakeSym{}), "insn: (could not decode) ff ff")
	r.Code = nil
	wantLines(t, write(t, r, fakeSym{}), "code: (unavailable)")
}

func TestSymbolsInDisassembly(t *testing.T) {
	r := pfReport()
	// call warren.dev/kernel.bar: rel32 = 0x402000 - (0x401012 + 5)
	r.Code = []byte{0xe8, 0xe9, 0x0f, 0x00, 0x00}
	wantLines(t, write(t, r, fakeSym{}), "insn: callq warren.dev/kernel.bar")
	// Without entries, addresses stay numeric and offsets are omitted.
	out := write(t, r, nameOnly{})
	wantLines(t, out, "insn: callq 0x402000", "    at warren.dev/kernel.foo kernel/foo.go:34")
}

func TestUnknownVector(t *testing.T) {
	r := pfReport()
	r.Frame.Vector = 77
	r.Frame.ErrorCode = 0
	out := write(t, r, nil)
	if !strings.HasPrefix(out, "kernel fault: interrupt 77\n") {
		t.Errorf("header:\n%s", out)
	}
	if strings.Contains(out, "error=") || strings.Contains(out, "cr2=") {
		t.Errorf("error code or cr2 printed for vector 77:\n%s", out)
	}
	wantLines(t, out, "rip=0x0000000000401012 ?", "    at 0x401012 ?", "    at 0x402010 ?")
}

func TestErrorCodes(t *testing.T) {
	cases := []struct {
		vec, code uint64
		want      string
	}{
		{13, 0, "error=0x0 no-selector"},
		{13, 0x18, "error=0x18 selector gdt index=3"},
		{13, 0x1a, "error=0x1a selector idt index=3"},
		{11, 0x1c, "error=0x1c selector ldt index=3"},
		{13, 0x103, "error=0x103 selector idt index=32 external"},
		{14, 0x15, "error=0x15 protection instruction-fetch user"},
		{14, 0x0f, "error=0xf protection write user reserved-bit"},
		{14, 0x8020, "error=0x8020 not-present read supervisor protection-key sgx"},
		{21, 3, "error=0x3 endbranch"},
		{21, 0x8009, "error=0x8009 unknown-cause enclave"},
		{8, 0, "error=0x0"},
		{6, 5, "error=0x5"},
	}
	for _, c := range cases {
		r := pfReport()
		r.Frame.Vector, r.Frame.ErrorCode = c.vec, c.code
		wantLines(t, write(t, r, nil), c.want)
	}
	for v, name := range map[uint64]string{0: "#DE", 2: "NMI", 8: "#DF", 13: "#GP", 19: "#XM", 21: "#CP", 15: "interrupt 15", 256: "interrupt 256"} {
		if got := vectorName(v); !strings.HasPrefix(got, name) {
			t.Errorf("vectorName(%d) = %q, want %s...", v, got, name)
		}
	}
}

func TestFlags(t *testing.T) {
	if got := rflagsNames(0x3202); got != "IF IOPL=3" {
		t.Errorf("rflags 0x3202 = %q", got)
	}
	if got := rflagsNames(0x3002); got != "IOPL=3" {
		t.Errorf("rflags 0x3002 = %q", got)
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("boom") }

func TestWriteError(t *testing.T) {
	if err := Write(failWriter{}, pfReport(), nil); err == nil {
		t.Error("write error lost")
	}
}

//go:noinline
func here() uint64 {
	pc, _, _, _ := runtime.Caller(0)
	return uint64(pc)
}

func TestRuntimeSymbolizer(t *testing.T) {
	var s RuntimeSymbolizer
	pc := here()
	name, file, line, ok := s.Func(pc)
	if !ok || name != "warren.dev/kernel/crash.here" || !strings.HasSuffix(file, "report_test.go") || line == 0 {
		t.Errorf("Func = %q %q %d %v", name, file, line, ok)
	}
	if e, ok := s.Entry(pc); !ok || e > pc || pc-e > 256 {
		t.Errorf("Entry = %#x %v for pc %#x", e, ok, pc)
	}
	if _, _, _, ok := s.Func(1); ok {
		t.Error("Func(1) ok")
	}
	if _, ok := s.Entry(1); ok {
		t.Error("Entry(1) ok")
	}
	r := pfReport()
	r.Frame.RIP = pc
	r.Stack = nil
	out := write(t, r, s)
	if !strings.Contains(out, "    at warren.dev/kernel/crash.here+0x") {
		t.Errorf("runtime symbolizer backtrace:\n%s", out)
	}
}
