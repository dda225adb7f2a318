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
// zero-size types (physMemory, tlb, hardware, tmpEnv, userMemory) made
// into interfaces point at the runtime's zerobase, and int32 indexes below
// 256 (procFrames, procTLB: process slots) at its static small integers.
var harmlessEscapes = map[string][]string{
	"powerOff":       {"hw"},
	"initClock":      {"hardware{}"},
	"readACPI":       {"physMemory{}"},
	"setupMemory":    {"physMemory{}", "tlb{}"},
	"initProcesses":  {"physMemory{}", "procFrames(p)", "procTLB(p)"},
	"mountTmpfs":     {"tmpEnv{}"},
	"kmain":          {"physMemory{}"},
	"sysRtSigreturn": {"userMemory{}"},
	"deliverSignals": {"userMemory{}"},
}

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

// Functions marked kernel context must not allocate: the compiler's
// escape analysis of every package that has such functions may report no
// heap allocation inside one, apart from harmlessEscapes. (It sees what a
// function allocates itself, not what the functions it calls do: those
// carry the mark too, or run only at boot.)
func TestKernelContextDoesNotAllocate(t *testing.T) {
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
	args := []string{"build", "-o", os.DevNull, "-gcflags=-m"}
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
	reports := 0
	for _, line := range strings.Split(string(out), "\n") {
		m := escapeRe.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		reports++
		file, expr := filepath.Clean(m[1]), m[3]+m[4]
		n, _ := strconv.Atoi(m[2])
		for _, f := range funcs {
			if f.file == file && n >= f.begin && n <= f.end && !slices.Contains(harmlessEscapes[f.name], expr) {
				t.Errorf("%s:%d: %s, marked kernel context, allocates: %s escapes to the heap", file, n, f.name, expr)
			}
		}
	}
	if reports == 0 {
		t.Fatalf("the compiler reported no escapes at all; is -gcflags=-m still read?\n%s", out)
	}
}
