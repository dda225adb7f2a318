package build

import (
	"os"
	"path/filepath"
	"testing"
)

func TestFindRoot(t *testing.T) {
	root := t.TempDir()
	os.WriteFile(filepath.Join(root, "go.mod"), []byte("module warren.dev\n\ngo 1.26.3\n"), 0o644)
	sub := filepath.Join(root, "a", "b")
	os.MkdirAll(sub, 0o755)
	other := t.TempDir()
	os.WriteFile(filepath.Join(other, "go.mod"), []byte("module example.com/other\n"), 0o644)

	t.Setenv("WARREN_ROOT", "")
	saved := defaultRoot
	defer func() { defaultRoot = saved }()
	defaultRoot = ""

	t.Chdir(sub) // walks up
	if got, err := FindRoot(); err != nil || got != root {
		t.Errorf("walking up: %q, %v; want %q", got, err, root)
	}
	t.Chdir(other) // another module, nothing above it
	if _, err := FindRoot(); err == nil {
		t.Error("found a root outside any Warren tree")
	}
	defaultRoot = root // baked in
	if got, err := FindRoot(); err != nil || got != root {
		t.Errorf("baked in: %q, %v", got, err)
	}
	t.Setenv("WARREN_ROOT", other) // the environment wins, and is checked
	if _, err := FindRoot(); err == nil || !contains(err.Error(), "example.com/other") {
		t.Errorf("WARREN_ROOT to another module: %v", err)
	}
	t.Setenv("WARREN_ROOT", root)
	if got, err := FindRoot(); err != nil || got != root {
		t.Errorf("WARREN_ROOT: %q, %v", got, err)
	}
}
