package build

import (
	"path/filepath"
	"testing"

	"warren.dev/qemu"
)

func TestGrubConfig(t *testing.T) {
	got, err := GrubConfig(`warren.cwd=/src/x "-test.run=A B" -test.v`, []BootModule{{Path: "/tmp/a.cpio", Name: "initrd"}, {Path: "/x/y", Name: "data.bin"}})
	if err != nil {
		t.Fatal(err)
	}
	want := `set timeout=0
serial --unit=0 --speed=115200
terminal_input serial
terminal_output serial
multiboot /boot/warren.elf 'warren.cwd=/src/x' '-test.run=A B' '-test.v'
module /boot/initrd initrd
module /boot/data.bin data.bin
boot
`
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	if _, err := GrubConfig("it's", nil); err == nil {
		t.Error("a single quote was accepted")
	}
	for _, name := range []string{"", "a/b", "a b", "warren.elf", "grub"} {
		if _, err := GrubConfig("", []BootModule{{Path: "/x", Name: name}}); err == nil {
			t.Errorf("module name %q was accepted", name)
		}
	}
}

// TestBuildDiskMissingEFIModules: a disk needs GRUB's EFI modules too,
// and the error names their package.
func TestBuildDiskMissingEFIModules(t *testing.T) {
	qemu.RequireTools(t, "grub-mkimage", grubPlatformDir)
	defer func(dir string) { grubEFIDir = dir }(grubEFIDir)
	grubEFIDir = filepath.Join(t.TempDir(), "x86_64-efi")
	err := BuildDisk(t.Context(), "/nonexistent", "/nonexistent.raw", "", nil)
	if err == nil || !contains(err.Error(), "grub-efi-amd64-bin") {
		t.Errorf("got %v, want an error naming grub-efi-amd64-bin", err)
	}
}
