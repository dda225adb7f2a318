package build

import (
	"os"
	"path/filepath"
	"testing"
)

func TestWorkFile(t *testing.T) {
	root := t.TempDir()
	prog := filepath.Join(t.TempDir(), "my prog") // a space needs quoting
	for dir, mod := range map[string]string{
		root: "module warren.dev\n\ngo 1.26.3\n",
		prog: "module example.com/prog\n\ngo 1.22\n",
	} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(mod), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	check := func(want string) {
		t.Helper()
		got, err := WorkFile(nil, prog, root)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("got:\n%s\nwant:\n%s", got, want)
		}
	}
	check("go 1.26.3\n\nuse (\n\t\"" + prog + "\"\n\t" + root + "\n)\n")

	// The program's go version wins when it is higher (1.26.10 > 1.26.3).
	os.WriteFile(filepath.Join(prog, "go.mod"), []byte("module example.com/prog\n\ngo 1.26.10\n"), 0o644)
	check("go 1.26.10\n\nuse (\n\t\"" + prog + "\"\n\t" + root + "\n)\n")

	// No go directive reads as 1.16.
	os.WriteFile(filepath.Join(prog, "go.mod"), []byte("module example.com/prog\n"), 0o644)
	check("go 1.26.3\n\nuse (\n\t\"" + prog + "\"\n\t" + root + "\n)\n")

	// Replacements follow the uses, sorted.
	got, err := WorkFile(map[string]string{"gvisor.dev/gvisor": "/cache/my shadow", "a.b/c": "/d"}, root)
	if want := "go 1.26.3\n\nuse (\n\t" + root + "\n)\n\nreplace a.b/c => /d\n\nreplace gvisor.dev/gvisor => \"/cache/my shadow\"\n"; err != nil || got != want {
		t.Errorf("with replacements: %v\n%s\nwant:\n%s", err, got, want)
	}

	if _, err := WorkFile(nil, t.TempDir(), root); err == nil {
		t.Error("no error for a directory without go.mod")
	}
}
