package main

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"warren.dev/proc/proctest"
	"warren.dev/qemu"
	"warren.dev/tools/build"
)

// TestBuildUserCommand builds a -user image with the default name, in the
// current directory, and checks warren run would boot it with its archive.
func TestBuildUserCommand(t *testing.T) {
	root, err := build.FindRoot()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("WARREN_ROOT", root)
	exe := proctest.Build(t, proctest.Go)
	dir := t.TempDir()
	t.Chdir(dir)
	e, _, errb := testEnv()
	if code := run(context.Background(), e, []string{"build", "-user", exe + " -x"}); code != 0 {
		t.Fatalf("exit %d: %s", code, errb)
	}
	image := filepath.Join(dir, filepath.Base(exe)+".elf")
	for _, f := range []string{image, image + build.UserArchiveSuffix} {
		if _, err := os.Stat(f); err != nil {
			t.Error(err)
		}
	}
	want := []qemu.Module{{Path: image + build.UserArchiveSuffix, Name: build.ArchiveModule}}
	if got := imageModules(image); !slices.Equal(got, want) {
		t.Errorf("modules %v, want %v", got, want)
	}
	if got := imageModules(exe); got != nil {
		t.Errorf("an image without an archive gets modules %v", got)
	}
}
