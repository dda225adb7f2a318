package rules

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// kernelContextMark is the doc-comment line of a function that may run in
// kernel context (docs/kernel-context.md).
const kernelContextMark = "Context: kernel"

// harmlessEscapes are the escapes the compiler reports in kernel-context
// functions that allocate nothing, by function and expression: values of
// zero-size types (physMemory, tlb, hardware, tmpEnv) made
// into interfaces point at the runtime's zerobase, and int32 indexes below
// 256 (procFrames, procTLB: process slots) at its static small integers.
var harmlessEscapes = map[string][]string{
	"powerOff":      {"hw"},
	"initClock":     {"hardware{}"},
	"readRTC":       {"hardware{}"},
	"readACPI":      {"physMemory{}"},
	"setupMemory":   {"physMemory{}", "tlb{}"},
	"initProcesses": {"physMemory{}", "procFrames(p)", "procTLB(p)"},
	"mountTmpfs":    {"tmpEnv{}"},
	"kmain":         {"physMemory{}"},
}

// bootOnly are kernel-context functions that run only in kmain, before
// the Go runtime starts, where rule 2 lets them store pointers (the write
// barrier is off): parsing the command line, installing the system-call
// table, laying out memory, the initrd and the vDSO.
var bootOnly = []string{"parseCmdline", "parseTokens", "install", "setupSyscalls", "setupMemory", "mountInitrd", "setupVDSO"}

// writeBarrierRe matches the compiler's report of a pointer store that
// has a write barrier (go build -gcflags=-d=wb).
var writeBarrierRe = regexp.MustCompile(`^(.+\.go):(\d+):\d+: write barrier$`)

// escapeRe matches the compiler's escape-analysis report of a heap
// allocation (go build -gcflags=-m): "x escapes to heap", "moved to
// heap: x".
var escapeRe = regexp.MustCompile(`^(.+\.go):(\d+):\d+: (?:(.+) escapes to heap|moved to heap: (.+))$`)

// kernelFunc is a function marked as kernel context: its file and lines.
type kernelFunc struct {
	name       string
	file       string // relative to the tree's root
	begin, end int
}

// Functions marked kernel context must not allocate or store pointers
// (rules 1 and 2 of docs/kernel-context.md): in the compiler's reports on
// every package that has such functions, no heap allocation
// (-gcflags=-m) may lie inside one, apart from harmlessEscapes, and no
// write barrier (-d=wb), apart from the boot-only functions. (The
// compiler sees what a function does itself, not what the functions it
// calls do: those carry the mark too.)
func TestKernelContextRules(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	var funcs []kernelFunc
	pkgs := map[string]bool{}
	goFiles(t, func(path string) {
		if strings.HasSuffix(path, "_test.go") || strings.Contains(path, string(filepath.Separator)+"testdata"+string(filepath.Separator)) {
			return
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
		if err != nil {
			t.Errorf("%s: %v", path, err)
			return
		}
		rel, _ := filepath.Rel(root, path)
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Doc == nil || !strings.Contains(fd.Doc.Text(), kernelContextMark) {
				continue
			}
			funcs = append(funcs, kernelFunc{fd.Name.Name, rel, fset.Position(fd.Pos()).Line, fset.Position(fd.End()).Line})
			pkgs["./"+filepath.Dir(rel)] = true
		}
	})
	if len(funcs) < 200 {
		t.Fatalf("found %d functions marked %q; the search is broken", len(funcs), kernelContextMark)
	}
	args := []string{"build", "-o", os.DevNull, "-gcflags=-m -d=wb"}
	for p := range pkgs {
		args = append(args, p)
	}
	slices.Sort(args[4:])
	cmd := exec.Command("go", args...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=amd64", "CGO_ENABLED=0")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	inside := func(file, line string) (kernelFunc, bool) {
		n, _ := strconv.Atoi(line)
		for _, f := range funcs {
			if f.file == filepath.Clean(file) && n >= f.begin && n <= f.end {
				return f, true
			}
		}
		return kernelFunc{}, false
	}
	escapes, barriers := 0, 0
	for _, line := range strings.Split(string(out), "\n") {
		if m := escapeRe.FindStringSubmatch(line); m != nil {
			escapes++
			expr := m[3] + m[4]
			if f, ok := inside(m[1], m[2]); ok && !slices.Contains(harmlessEscapes[f.name], expr) {
				t.Errorf("%s:%s: %s, marked kernel context, allocates: %s escapes to the heap", m[1], m[2], f.name, expr)
			}
		}
		if m := writeBarrierRe.FindStringSubmatch(line); m != nil {
			barriers++
			if f, ok := inside(m[1], m[2]); ok && !slices.Contains(bootOnly, f.name) {
				t.Errorf("%s:%s: %s, marked kernel context, stores a pointer (a write barrier)", m[1], m[2], f.name)
			}
		}
	}
	if escapes == 0 || barriers == 0 {
		t.Fatalf("the compiler reported %d escapes and %d write barriers; are -m and -d=wb still read?\n%s", escapes, barriers, out)
	}
}
