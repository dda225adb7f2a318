package build_test

import (
	"bytes"
	"context"
	"debug/pe"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"warren.dev/qemu"
	"warren.dev/tools/build"
)

// diskTools are what BuildDisk and ConvertQCOW2 run, and what the tests
// read a disk back with.
var diskTools = []string{"grub-mkimage", "mformat", "mcopy", "mdir", "mtype", "qemu-img"}

// TestBuildDisk builds a raw disk of the stand-in hello image with an
// archive module and reads its layout back: the partition table, GRUB's
// boot code and core image, the files on the FAT partition, grub.cfg and
// GRUB's EFI image.
func TestBuildDisk(t *testing.T) {
	qemu.RequireTools(t, diskTools...)
	dir := t.TempDir()
	archive := filepath.Join(dir, "archive")
	if err := os.WriteFile(archive, []byte("070701"), 0o644); err != nil {
		t.Fatal(err)
	}
	mods := []build.BootModule{{Path: archive, Name: build.ArchiveModule}}
	disk := filepath.Join(dir, "hello.raw")
	if err := build.BuildDisk(context.Background(), helloImage(t), disk, "ip=10.0.2.15/24 a", mods); err != nil {
		t.Fatal(err)
	}
	if err := build.CheckDisk(disk, build.FormatRaw); err != nil {
		t.Error(err)
	}
	data, err := os.ReadFile(disk)
	if err != nil {
		t.Fatal(err)
	}
	parts, err := build.ReadMBR(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(parts) != 1 || !parts[0].Bootable || parts[0].Type != 0xef || parts[0].Start != 2048 ||
		int64(parts[0].Start+parts[0].Sectors)*512 != int64(len(data)) {
		t.Fatalf("partitions %+v of a %d-byte disk", parts, len(data))
	}
	bootImg, err := os.ReadFile("/usr/lib/grub/i386-pc/boot.img")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data[:0x1b8], bootImg[:0x1b8]) {
		t.Error("the MBR's code is not GRUB's boot.img")
	}
	// The core image starts with diskboot.img, whose last 12 bytes (its
	// block list: sector 2 on) grub-mkimage fills.
	diskboot, err := os.ReadFile("/usr/lib/grub/i386-pc/diskboot.img")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data[512:512+500], diskboot[:500]) {
		t.Error("sector 1 is not GRUB's core image")
	}

	fat := disk + "@@1M"
	out := mtool(t, "mdir", "-/", "-b", "-i", fat, "::/")
	for _, f := range []string{"::/boot/warren.elf", "::/boot/initrd", "::/boot/grub/grub.cfg", "::/EFI/BOOT/BOOTX64.EFI"} {
		if !strings.Contains(out, f+"\n") {
			t.Errorf("no %s on the partition:\n%s", f, out)
		}
	}
	image, err := os.ReadFile(helloImage(t))
	if err != nil {
		t.Fatal(err)
	}
	if got := mtool(t, "mtype", "-i", fat, "::/boot/warren.elf"); got != string(image) {
		t.Errorf("warren.elf on the partition: %d bytes, not the image's %d", len(got), len(image))
	}
	want, err := build.GrubConfig("ip=10.0.2.15/24 a", mods)
	if err != nil {
		t.Fatal(err)
	}
	if got := mtool(t, "mtype", "-i", fat, "::/boot/grub/grub.cfg"); got != want {
		t.Errorf("grub.cfg:\n%s\nwant:\n%s", got, want)
	}

	// UEFI firmware runs an x86-64 PE32+ EFI application.
	efi := filepath.Join(dir, "BOOTX64.EFI")
	mtool(t, "mcopy", "-i", fat, "::/EFI/BOOT/BOOTX64.EFI", efi)
	f, err := pe.Open(efi)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if oh, ok := f.OptionalHeader.(*pe.OptionalHeader64); f.Machine != pe.IMAGE_FILE_MACHINE_AMD64 || !ok ||
		oh.Subsystem != pe.IMAGE_SUBSYSTEM_EFI_APPLICATION {
		t.Errorf("BOOTX64.EFI: machine %#x, optional header %T, not an x86-64 PE32+ EFI application", f.Machine, f.OptionalHeader)
	}

	qcow2 := filepath.Join(dir, "hello.qcow2")
	if err := build.ConvertQCOW2(context.Background(), disk, qcow2); err != nil {
		t.Fatal(err)
	}
	if err := build.CheckDisk(qcow2, build.FormatQCOW2); err != nil {
		t.Error(err)
	}
	if err := build.CheckDisk(disk, build.FormatQCOW2); err == nil {
		t.Error("a raw disk passed for qcow2")
	}
	if err := build.CheckDisk(qcow2, build.FormatRaw); err == nil {
		t.Error("a qcow2 file passed for a raw disk")
	}
}

func mtool(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command(args[0], args[1:]...).Output()
	if err != nil {
		t.Fatalf("%s: %v", strings.Join(args, " "), err)
	}
	return string(out)
}

func TestBuildDiskMissingTools(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	err := build.BuildDisk(t.Context(), "/nonexistent", "/nonexistent.raw", "", nil)
	if err == nil || !strings.Contains(err.Error(), "grub-common") {
		t.Errorf("got %v, want an error naming grub-common", err)
	}
}
