package build

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// The toolchain's own zsyscall_linux_amd64.go has each hooked wrapper
// once; after renaming, none is left under its old name and every new
// name is declared, so the hook file's wrappers take their place.
func TestRenameWrappersOfThisToolchain(t *testing.T) {
	src, err := os.ReadFile(filepath.Join(runtime.GOROOT(), "src", "syscall", stdZsyscall))
	if err != nil {
		t.Fatal(err)
	}
	out, err := renameWrappers(src)
	if err != nil {
		t.Fatal(err)
	}
	f, err := parser.ParseFile(token.NewFileSet(), stdZsyscall, out, 0)
	if err != nil {
		t.Fatalf("the renamed file does not parse: %v", err)
	}
	declared := map[string]bool{}
	for name, obj := range f.Scope.Objects {
		declared[name] = obj.Kind.String() == "func"
	}
	hook, err := parser.ParseFile(token.NewFileSet(), stdHookFile, stdSocketHook, 0)
	if err != nil {
		t.Fatalf("the hook file does not parse: %v", err)
	}
	for name, to := range hookedWrappers {
		if declared[name] {
			t.Errorf("%s is still declared", name)
		}
		if !declared[to] {
			t.Errorf("%s is not declared", to)
		}
		if hook.Scope.Lookup(name) == nil {
			t.Errorf("the hook file does not declare %s", name)
		}
	}
}

func TestRenameWrappersRefusesAnotherSyscallPackage(t *testing.T) {
	src := []byte("package syscall\n\nfunc read() {}\n")
	if _, err := renameWrappers(src); err == nil || !strings.Contains(err.Error(), "not the one Warren's socket hook was written for") {
		t.Fatalf("renameWrappers of a file missing most wrappers: %v", err)
	}
}
