package build

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// A disk's one partition starts at 1 MiB, where partitioning tools align
// it; GRUB's core image fills part of the gap after the MBR, as
// grub-install puts it there. The partition is an EFI system partition
// (type 0xef) that also holds the BIOS boot's files: SeaBIOS runs the
// MBR's code whatever the types, GRUB's BIOS image reads the partition by
// number, and OVMF looks for EFI/BOOT/BOOTX64.EFI on any FAT partition of
// an MBR disk. One partition keeps one copy of grub.cfg and the kernel.
const (
	diskPartStart   = 2048 // sectors
	diskPartAlign   = 2048 // sectors; also mformat's 64 heads × 32 sectors
	diskPartType    = 0xef // EFI system partition
	diskPartMinimum = 16 << 20
)

// grubDiskModules are built into both GRUB images, so the partition needs
// only grub.cfg of GRUB's files: the partition table, FAT, and what
// grub.cfg runs. The BIOS image adds its disk driver; the EFI image reads
// disks through the firmware's, which it always has.
var grubDiskModules = []string{"part_msdos", "fat", "normal", "configfile", "serial", "terminal", "multiboot", "boot"}

// BuildDisk makes a raw disk image at out that boots image from a BIOS
// and from UEFI firmware: an MBR with GRUB's boot.img, GRUB's BIOS core
// image in the gap before the first partition, and one bootable FAT16
// partition holding the tree an ISO holds (boot/grub/grub.cfg,
// boot/warren.elf, the modules) and GRUB's EFI image as
// EFI/BOOT/BOOTX64.EFI, the removable-media path firmware boots with no
// boot entry. mtools writes the file system, so neither root nor a loop
// device is needed.
func BuildDisk(ctx context.Context, image, out, cmdline string, mods []BootModule) error {
	mkimage, err := hostTool("grub-mkimage", "grub-common")
	if err != nil {
		return err
	}
	if err := checkGrubPlatform(); err != nil {
		return err
	}
	if err := checkGrubDir("UEFI", grubEFIDir, "grub-efi-amd64-bin"); err != nil {
		return err
	}
	mformat, err := hostTool("mformat", "mtools")
	if err != nil {
		return err
	}
	mcopy, err := hostTool("mcopy", "mtools")
	if err != nil {
		return err
	}
	tree, err := stageBoot(image, cmdline, mods)
	if err != nil {
		return err
	}
	defer os.RemoveAll(tree)

	// Each GRUB finds grub.cfg through its prefix; the EFI one's names no
	// device, so it is the partition the firmware loaded it from.
	efiBoot := filepath.Join(tree, "EFI", "BOOT")
	if err := os.MkdirAll(efiBoot, 0o755); err != nil {
		return err
	}
	args := append([]string{"-O", "x86_64-efi", "-d", grubEFIDir, "-p", "/boot/grub", "-o", filepath.Join(efiBoot, "BOOTX64.EFI")}, grubDiskModules...)
	if err := runTool(ctx, mkimage, args...); err != nil {
		return err
	}
	core := filepath.Join(tree, "core.img")
	args = append([]string{"-O", "i386-pc", "-d", grubPlatformDir, "-p", "(hd0,msdos1)/boot/grub", "-o", core, "biosdisk"}, grubDiskModules...)
	if err := runTool(ctx, mkimage, args...); err != nil {
		return err
	}
	coreImg, err := os.ReadFile(core)
	if err != nil {
		return err
	}
	if len(coreImg) > (diskPartStart-1)*sectorSize {
		return fmt.Errorf("GRUB's core image (%d bytes) does not fit before the partition", len(coreImg))
	}
	bootImg, err := os.ReadFile(filepath.Join(grubPlatformDir, "boot.img"))
	if err != nil {
		return err
	}

	// The file system, with room for FAT's tables and directories.
	var size int64
	for _, dir := range []string{"boot", "EFI"} {
		n, err := treeSize(filepath.Join(tree, dir))
		if err != nil {
			return err
		}
		size += n
	}
	sectors := uint32(roundUp(max(size+size/4+4<<20, diskPartMinimum), diskPartAlign*sectorSize) / sectorSize)
	part := filepath.Join(tree, "part.img")
	if err := os.WriteFile(part, nil, 0o644); err != nil {
		return err
	}
	if err := os.Truncate(part, int64(sectors)*sectorSize); err != nil {
		return err
	}
	if err := runTool(ctx, mformat, "-i", part, "-T", fmt.Sprint(sectors), "-h", "64", "-s", "32",
		"-H", fmt.Sprint(diskPartStart), "-v", "WARREN", "::"); err != nil {
		return err
	}
	if err := runTool(ctx, mcopy, "-s", "-i", part, filepath.Join(tree, "boot"), filepath.Join(tree, "EFI"), "::/"); err != nil {
		return err
	}

	mbr, err := writeMBR(bootImg, []Partition{{Bootable: true, Type: diskPartType, Start: diskPartStart, Sectors: sectors}})
	if err != nil {
		return err
	}
	return writeDisk(out, mbr, coreImg, part)
}

// writeDisk writes the MBR, the core image in the sectors after it, and
// the partition at diskPartStart.
func writeDisk(out string, mbr, core []byte, part string) error {
	data, err := os.ReadFile(part)
	if err != nil {
		return err
	}
	disk := make([]byte, diskPartStart*sectorSize+len(data))
	copy(disk, mbr)
	copy(disk[sectorSize:], core)
	copy(disk[diskPartStart*sectorSize:], data)
	return os.WriteFile(out, disk, 0o644)
}

// treeSize adds up the sizes of the files under dir.
func treeSize(dir string) (int64, error) {
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		n += fi.Size()
		return nil
	})
	return n, err
}

func roundUp(n, to int64) int64 { return (n + to - 1) / to * to }
