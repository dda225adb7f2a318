package build_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/u-root/u-root/pkg/cpio"

	"warren.dev/proc"
	"warren.dev/proc/proctest"
	"warren.dev/tools/build"
)

// TestBuildUser builds a real user-program image (the Warren tree this
// test is in, not the stand-in) from another directory, with relative
// paths.
func TestBuildUser(t *testing.T) {
	root, err := build.FindRoot()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.Rename(proctest.Build(t, proctest.Go), filepath.Join(dir, "hello")); err != nil {
		t.Fatal(err)
	}
	cfg := build.Config{Root: root, Dir: dir}
	prog, err := build.ParseUserProgram("./hello -n 3")
	if err != nil {
		t.Fatal(err)
	}
	if err := build.BuildUser(context.Background(), cfg, []build.UserProgram{prog}, "app.elf"); err != nil {
		t.Fatal(err)
	}
	image := filepath.Join(dir, "app.elf")
	checkImage(t, image)
	if !hasSymbol(t, image, "warren.dev/proc.DecodeManifest") {
		t.Errorf("%s is not the init program (no warren.dev/proc.DecodeManifest)", image)
	}
	archive, err := os.ReadFile(image + build.UserArchiveSuffix)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := cpio.ReadAllRecords(cpio.Newc.Reader(bytes.NewReader(archive)))
	if err != nil {
		t.Fatal(err)
	}
	var manifest []byte
	for _, r := range recs {
		if "/"+r.Name == proc.ManifestPath {
			manifest = make([]byte, r.FileSize)
			r.ReadAt(manifest, 0)
		}
	}
	if want := "/bin/hello\x00-n\x003\n"; string(manifest) != want {
		t.Errorf("manifest %q, want %q", manifest, want)
	}
}

func TestBuildUserRejectsDynamic(t *testing.T) {
	if _, err := os.Stat("/bin/true"); err != nil {
		t.Skip(err)
	}
	out := filepath.Join(t.TempDir(), "app.elf")
	err := build.BuildUser(context.Background(), standInConfig(), []build.UserProgram{{Path: "/bin/true"}}, out)
	if err == nil || !strings.Contains(err.Error(), "/bin/true: dynamically linked (interpreter /") ||
		!strings.Contains(err.Error(), "Warren runs static executables only") {
		t.Errorf("got %v, want the loader's dynamic-linking error", err)
	}
	for _, f := range []string{out, out + build.UserArchiveSuffix} {
		if _, err := os.Stat(f); err == nil {
			t.Errorf("%s was written", f)
		}
	}
}
