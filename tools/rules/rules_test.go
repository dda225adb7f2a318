package rules

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// goFiles walks the tree's Go files, the test programs under testdata
// included.
func goFiles(t *testing.T, visit func(path string)) {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && strings.HasPrefix(d.Name(), ".") && path != root {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(path, ".go") {
			visit(path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Package unsafe is imported only in files named *_unsafe.go (or
// *_unsafe_test.go), so that a reader finds every place that steps
// outside Go's memory safety by its file name.
func TestUnsafeOnlyInUnsafeFiles(t *testing.T) {
	n := 0
	goFiles(t, func(path string) {
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			t.Errorf("%s: %v", path, err)
			return
		}
		n++
		for _, imp := range f.Imports {
			if p, _ := strconv.Unquote(imp.Path.Value); p != "unsafe" {
				continue
			}
			base := filepath.Base(path)
			if !strings.HasSuffix(base, "_unsafe.go") && !strings.HasSuffix(base, "_unsafe_test.go") {
				t.Errorf("%s imports unsafe: move that code into a file named *_unsafe.go", path)
			}
		}
	})
	if n < 100 {
		t.Fatalf("read only %d Go files: the walk missed the tree", n)
	}
}
