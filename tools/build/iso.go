package build

import (
	"context"
	"os"
)

// BuildISO makes a GRUB rescue ISO (BIOS) at iso that boots image.
func BuildISO(ctx context.Context, image, iso, cmdline string, mods []BootModule) error {
	mkrescue, err := hostTool("grub-mkrescue", "grub-pc-bin (with grub-common), xorriso and mtools")
	if err != nil {
		return err
	}
	if err := checkGrubPlatform(); err != nil {
		return err
	}
	if _, err := hostTool("xorriso", "xorriso"); err != nil {
		return err
	}
	tree, err := stageBoot(image, cmdline, mods)
	if err != nil {
		return err
	}
	defer os.RemoveAll(tree)
	return runTool(ctx, mkrescue, "--compress=no", "-d", grubPlatformDir, "-o", iso, tree)
}
