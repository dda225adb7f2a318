package build

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/u-root/u-root/pkg/cpio"
)

func contains(s, sub string) bool { return strings.Contains(s, sub) }

func TestWriteTestArchive(t *testing.T) {
	base := t.TempDir()
	src := filepath.Join(base, "src", "pkg")
	files := map[string]string{
		"a.go":             "package a\n",
		"testdata/in.txt":  "input\n",
		"testdata/d/e.txt": "deep\n",
		".git/config":      "secret\n",
		"sub/.git/objects": "x\n",
	}
	for name, content := range files {
		p := filepath.Join(src, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	extra := filepath.Join(base, "goroot", "lib", "time", "zoneinfo.zip")
	os.MkdirAll(filepath.Dir(extra), 0o755)
	os.WriteFile(extra, []byte("zip"), 0o644)
	os.WriteFile(filepath.Join(base, "outside.txt"), []byte("no"), 0o644)
	for link, target := range map[string]string{
		"in-link":      "testdata/in.txt",
		"in-abs-link":  filepath.Join(src, "a.go"),
		"out-link":     "../../outside.txt",
		"out-abs-link": filepath.Join(base, "outside.txt"),
	} {
		if err := os.Symlink(target, filepath.Join(src, link)); err != nil {
			t.Fatal(err)
		}
	}

	var buf bytes.Buffer
	if err := WriteTestArchive(&buf, "", "", []string{src}, extra); err != nil {
		t.Fatal(err)
	}
	recs, err := cpio.ReadAllRecords(cpio.Newc.Reader(bytes.NewReader(buf.Bytes())))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]cpio.Record{}
	var order []string
	for _, r := range recs {
		if _, dup := got[r.Name]; dup {
			t.Errorf("%s twice", r.Name)
		}
		got[r.Name] = r
		order = append(order, r.Name)
	}
	rel := func(p string) string { return cpio.Normalize(filepath.ToSlash(p)) }

	// Every ancestor of every entry is a directory entry that comes first.
	for i, name := range order {
		for d := filepath.Dir(name); d != "."; d = filepath.Dir(d) {
			r, ok := got[d]
			if !ok || r.Mode&cpio.S_IFMT != cpio.S_IFDIR {
				t.Errorf("%s: no directory entry for %s", name, d)
			} else if slices.Index(order, d) > i {
				t.Errorf("%s comes before its directory %s", name, d)
			}
		}
	}
	wantFiles := map[string]string{
		rel(filepath.Join(src, "a.go")):             "package a\n",
		rel(filepath.Join(src, "testdata/in.txt")):  "input\n",
		rel(filepath.Join(src, "testdata/d/e.txt")): "deep\n",
		rel(extra): "zip",
	}
	for name, content := range wantFiles {
		r, ok := got[name]
		if !ok {
			t.Errorf("%s missing", name)
			continue
		}
		data, _ := io.ReadAll(io.NewSectionReader(r, 0, int64(r.FileSize)))
		if r.Mode&cpio.S_IFMT != cpio.S_IFREG || string(data) != content {
			t.Errorf("%s: mode %o, content %q; want a file with %q", name, r.Mode, data, content)
		}
	}
	for _, name := range []string{"in-link", "in-abs-link"} {
		if r, ok := got[rel(filepath.Join(src, name))]; !ok || r.Mode&cpio.S_IFMT != cpio.S_IFLNK {
			t.Errorf("symlink %s inside the tree is missing", name)
		}
	}
	for _, name := range []string{"out-link", "out-abs-link", ".git", ".git/config", "sub/.git/objects"} {
		if _, ok := got[rel(filepath.Join(src, name))]; ok {
			t.Errorf("%s should have been left out", name)
		}
	}
	if _, ok := got[rel(filepath.Join(src, "sub"))]; !ok {
		t.Error("sub/ (holding only .git) should still be there")
	}
	for name, mode := range map[string]uint64{"usr/bin": cpio.S_IFDIR, "etc/passwd": cpio.S_IFREG, "etc/hosts": cpio.S_IFREG} {
		if r, ok := got[name]; !ok || r.Mode&cpio.S_IFMT != mode {
			t.Errorf("host path /%s missing", name)
		}
	}
}

// archiveNames lists the names in the test archive TestArchive writes for pkg.
func archiveNames(t *testing.T, pkg *Package) map[string]bool {
	file := filepath.Join(t.TempDir(), "initrd")
	if err := TestArchive(context.Background(), pkg, file, ""); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := cpio.ReadAllRecords(cpio.Newc.Reader(f))
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, r := range recs {
		names["/"+r.Name] = true
	}
	return names
}

// TestTestArchiveModule checks that a module's package gets its ancestors'
// testdata and plain files, and nothing else of the module, and pwd.
func TestTestArchiveModule(t *testing.T) {
	root := t.TempDir()
	for name, content := range map[string]string{
		"go.mod":             "module m\n\ngo 1.21\n",
		"testdata/top.txt":   "top\n",
		"a/a.go":             "package a\n",
		"a/testdata/mid.txt": "mid\n",
		"a/b/b.go":           "package b\n",
		"a/b/b_test.go":      "package b\n",
		"other/o.go":         "package other\n",
	} {
		p := filepath.Join(root, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	names := archiveNames(t, &Package{Dir: filepath.Join(root, "a", "b"), ImportPath: "m/a/b", Module: &Module{Path: "m", Dir: root}})
	for _, want := range []string{"go.mod", "testdata/top.txt", "a/a.go", "a/testdata/mid.txt", "a/b/b.go", "a/b/b_test.go"} {
		if !names[filepath.Join(root, want)] {
			t.Errorf("%s missing", want)
		}
	}
	if names[filepath.Join(root, "other", "o.go")] {
		t.Error("other/o.go, beside the package's ancestors, is in")
	}
	for _, cmd := range []string{"/bin/pwd", "/bin/cat", "/bin/sleep"} {
		if !names[cmd] {
			t.Errorf("%s missing", cmd)
		}
	}
}

// TestTestArchiveStd checks that a standard package gets GOROOT/src/go.mod,
// which internal/testenv finds GOROOT by, and the sources of the packages
// its test is built from, without their tests.
func TestTestArchiveStd(t *testing.T) {
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(strings.TrimSpace(string(out)), "src")
	names := archiveNames(t, &Package{Dir: filepath.Join(src, "path", "filepath"), ImportPath: "path/filepath", Standard: true})
	for _, want := range []string{"go.mod", "path/filepath/path_test.go", "unicode/utf16/utf16.go", "os/file.go", "syscall/zerrors_linux_amd64.go"} {
		if !names[filepath.Join(src, want)] {
			t.Errorf("%s missing", want)
		}
	}
	for _, not := range []string{"unicode/utf16/utf16_test.go", "syscall/zerrors_windows.go", "net/net.go"} {
		if names[filepath.Join(src, not)] {
			t.Errorf("%s is in", not)
		}
	}
}
