package kernel

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"testing"
)

// The copies in usermem.go are the one way to touch user memory: a view
// taken elsewhere could outlive a sleep and then show another process's
// memory, or a range a sibling thread unmapped. This test fails when a
// file outside the user-memory layer calls the functions that resolve or
// view a user range.
func TestUserMemoryHasOneDoor(t *testing.T) {
	allowed := map[string][]string{
		"userBytesIn":      {"usermem.go"},
		"checkUserIn":      {"usermem.go"},
		"checkProcessUser": {"usermem.go"},
		"showWindow":       {"window.go"},
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	calls := 0
	for _, name := range files {
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			id, ok := call.Fun.(*ast.Ident)
			if !ok {
				return true
			}
			if files, guarded := allowed[id.Name]; guarded {
				calls++
				if !slices.Contains(files, name) {
					t.Errorf("%s: %s called outside %v; copy through copyIn/copyOut/usercopy instead", fset.Position(call.Pos()), id.Name, files)
				}
			}
			return true
		})
	}
	if calls == 0 {
		t.Fatal("found no calls of the guarded functions: the test is looking in the wrong place")
	}
}
