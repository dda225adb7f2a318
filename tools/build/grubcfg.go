package build

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// A BootModule is a file handed to the kernel as a multiboot module.
type BootModule struct {
	Path string // file on the host
	Name string // the module's name (its command line), a plain file name
}

// GRUB's module directories: BIOS from Debian's grub-pc-bin, UEFI from
// grub-efi-amd64-bin.
var (
	grubPlatformDir = "/usr/lib/grub/i386-pc"
	grubEFIDir      = "/usr/lib/grub/x86_64-efi"
)

func checkGrubPlatform() error { return checkGrubDir("BIOS", grubPlatformDir, "grub-pc-bin") }

func checkGrubDir(what, dir, pkg string) error {
	if _, err := os.Stat(dir); err != nil {
		return fmt.Errorf("GRUB's %s modules are missing (%s): install the Debian package %s", what, dir, pkg)
	}
	return nil
}

// GrubConfig is the grub.cfg of an ISO or a disk: no menu, console on COM1,
// the image booted with cmdline and the modules. Each command-line token is
// single-quoted so GRUB's shell-like parser passes it unchanged; GRUB
// re-quotes tokens containing spaces, so the kernel sees what -append gives.
func GrubConfig(cmdline string, mods []BootModule) (string, error) {
	if err := CheckCmdline("", cmdline); err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString("set timeout=0\nserial --unit=0 --speed=115200\nterminal_input serial\nterminal_output serial\n")
	b.WriteString("multiboot /boot/warren.elf")
	for _, a := range SplitCmdline(cmdline) {
		if strings.Contains(a, "'") {
			return "", fmt.Errorf("argument %q: a single quote cannot be passed through grub.cfg", a)
		}
		b.WriteString(" '" + a + "'")
	}
	b.WriteString("\n")
	for _, m := range mods {
		if err := checkModuleName(m.Name); err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "module /boot/%s %s\n", m.Name, m.Name)
	}
	b.WriteString("boot\n")
	return b.String(), nil
}

func checkModuleName(name string) error {
	if name == "" || name == "warren.elf" || name == "grub" || strings.ContainsAny(name, "/ \t'\"\\$;") {
		return fmt.Errorf("module name %q: use a plain file name", name)
	}
	return nil
}

// stageBoot lays out, in a new temporary directory, the tree GRUB boots
// from on an ISO and on a disk's partition: boot/grub/grub.cfg,
// boot/warren.elf and the modules beside it. The caller removes the tree.
func stageBoot(image, cmdline string, mods []BootModule) (tree string, err error) {
	cfg, err := GrubConfig(cmdline, mods)
	if err != nil {
		return "", err
	}
	if tree, err = os.MkdirTemp("", "warren-boot-"); err != nil {
		return "", err
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tree)
		}
	}()
	boot := filepath.Join(tree, "boot")
	if err := os.MkdirAll(filepath.Join(boot, "grub"), 0o755); err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(boot, "grub", "grub.cfg"), []byte(cfg), 0o644); err != nil {
		return "", err
	}
	files := append([]BootModule{{Path: image, Name: "warren.elf"}}, mods...)
	for _, m := range files {
		if err := copyFile(m.Path, filepath.Join(boot, m.Name)); err != nil {
			return "", err
		}
	}
	return tree, nil
}

func copyFile(src, dst string) error {
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, data, 0o644)
}
