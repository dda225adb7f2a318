package build

import (
	"bytes"
	"debug/elf"
	"fmt"
	"os"
)

// A command line built into an image: the kernel's bakedCmdline array
// (kernel/cmdline.go), which lies in the image's data behind a marker,
// takes it NUL-terminated, and the kernel reads it before the loader's.
// An image that boots with no one to type a command line (a disk, a
// microVM's config) gets its options this way.
const (
	bakedSymbol = "warren.dev/kernel.bakedCmdline"
	bakedMarker = "WARREN-CMDLINE:"
)

// BakeCmdline writes cmdline into the image at path, replacing what an
// earlier BakeCmdline wrote.
func BakeCmdline(path, cmdline string) error {
	if err := CheckCmdline("", cmdline); err != nil {
		return err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	area, err := bakedArea(data)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	room := len(area) - len(bakedMarker) - 1 // and its NUL
	if len(cmdline) > room {
		return fmt.Errorf("the command line to build in is %d bytes, more than the image's %d", len(cmdline), room)
	}
	text := area[len(bakedMarker):]
	clear(text)
	copy(text, cmdline)
	return os.WriteFile(path, data, 0o755)
}

// BakedCmdline returns the command line built into an image.
func BakedCmdline(data []byte) (string, error) {
	area, err := bakedArea(data)
	if err != nil {
		return "", err
	}
	text := area[len(bakedMarker):]
	if i := bytes.IndexByte(text, 0); i >= 0 {
		text = text[:i]
	}
	return string(text), nil
}

// bakedArea is the kernel's array in data, the image's bytes.
func bakedArea(data []byte) ([]byte, error) {
	ef, err := elf.NewFile(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	defer ef.Close()
	sym, err := symbol(ef, bakedSymbol)
	if err != nil {
		return nil, err
	}
	for _, p := range ef.Progs {
		if p.Type != elf.PT_LOAD || sym.Value < p.Vaddr || sym.Value+sym.Size > p.Vaddr+p.Filesz {
			continue
		}
		off := p.Off + sym.Value - p.Vaddr
		area := data[off : off+sym.Size]
		if !bytes.HasPrefix(area, []byte(bakedMarker)) {
			return nil, fmt.Errorf("%s does not start with its marker", bakedSymbol)
		}
		return area, nil
	}
	return nil, fmt.Errorf("%s lies in no file-backed segment", bakedSymbol)
}
