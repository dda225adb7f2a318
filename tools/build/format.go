package build

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// A Format is what warren build writes.
type Format string

const (
	FormatELF           Format = "elf"           // the multiboot image, booted by QEMU's -kernel or any Multiboot loader
	FormatISO           Format = "iso"           // a GRUB rescue ISO (BIOS)
	FormatRaw           Format = "raw"           // a BIOS disk: MBR, GRUB, a FAT partition
	FormatQCOW2         Format = "qcow2"         // the raw disk as qcow2
	FormatContainerDisk Format = "containerdisk" // a KubeVirt containerDisk: an OCI layout tarball holding the qcow2
)

// Formats lists the formats in the order the usage shows them.
var Formats = []Format{FormatELF, FormatISO, FormatRaw, FormatQCOW2, FormatContainerDisk}

var formatExt = map[Format]string{
	FormatELF: ".elf", FormatISO: ".iso", FormatRaw: ".raw", FormatQCOW2: ".qcow2", FormatContainerDisk: ".tar",
}

// ParseFormat checks a -format value.
func ParseFormat(s string) (Format, error) {
	f := Format(s)
	if _, ok := formatExt[f]; !ok {
		var names []string
		for _, f := range Formats {
			names = append(names, string(f))
		}
		return "", fmt.Errorf("unknown format %q (want %s)", s, strings.Join(names, ", "))
	}
	return f, nil
}

// Ext is the file name suffix of the format, which warren run goes by.
func (f Format) Ext() string { return formatExt[f] }

// FormatOf returns the format a file's name says it has: FormatELF
// unless it ends in another format's suffix.
func FormatOf(path string) Format {
	for f, ext := range formatExt {
		if strings.HasSuffix(path, ext) {
			return f
		}
	}
	return FormatELF
}

// WriteFormat writes image (with its modules and the command line, in the
// loader's configuration) at out in format f, one of the boot-loader
// formats: every one but FormatELF.
func WriteFormat(ctx context.Context, f Format, image, out, cmdline string, mods []BootModule) error {
	switch f {
	case FormatISO:
		return BuildISO(ctx, image, out, cmdline, mods)
	case FormatRaw:
		return BuildDisk(ctx, image, out, cmdline, mods)
	}
	tmp, err := os.MkdirTemp("", "warren-disk-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	raw := filepath.Join(tmp, "disk.raw")
	if err := BuildDisk(ctx, image, raw, cmdline, mods); err != nil {
		return err
	}
	switch f {
	case FormatQCOW2:
		return ConvertQCOW2(ctx, raw, out)
	case FormatContainerDisk:
		qcow2 := filepath.Join(tmp, "disk.qcow2")
		if err := ConvertQCOW2(ctx, raw, qcow2); err != nil {
			return err
		}
		return WriteContainerDisk(qcow2, out)
	}
	return fmt.Errorf("format %q is not a boot loader's", f)
}
