package build

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
)

// CheckImage returns nil if the file at path is a bootable Warren image:
// an x86-64 ELF executable with the kernel's Multiboot header, filled in
// by Patch, where a loader looks first. Otherwise the error names the file
// and what is wrong with it. warren run checks before booting because
// QEMU's -kernel says little about a file it cannot boot (and exits with
// the code of status 0).
func CheckImage(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := checkImage(data); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

func checkImage(data []byte) error {
	const notImage = "not a Warren image (warren build makes one)"
	if len(data) == 0 {
		return errors.New("empty file, " + notImage)
	}
	if !bytes.HasPrefix(data, []byte(elf.ELFMAG)) {
		return errors.New("not an ELF file, so " + notImage)
	}
	ef, err := elf.NewFile(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("damaged ELF file (%v), %s", err, notImage)
	}
	defer ef.Close()
	if ef.Class != elf.ELFCLASS64 || ef.Machine != elf.EM_X86_64 {
		return fmt.Errorf("ELF file for %v (%v), not x86-64: %s", ef.Machine, ef.Class, notImage)
	}
	if _, err := symbol(ef, HeaderSymbol); err != nil {
		return fmt.Errorf("ELF file without Warren's kernel and Multiboot header: %s", notImage)
	}
	place, want, err := Layout(data)
	if err != nil {
		return fmt.Errorf("Warren image that cannot boot: %w", err)
	}
	if off, err := findHeader(data); err != nil || off != place.Offset || readFields(data[off:]) != want {
		return errors.New("Warren image whose Multiboot header is not filled in: link it with warren build, which does")
	}
	return nil
}

// readFields reads the address fields of a header back.
func readFields(h []byte) HeaderFields {
	u := func(off int) uint32 { return binary.LittleEndian.Uint32(h[off:]) }
	return HeaderFields{
		HeaderAddr: u(offHeaderAddr), LoadAddr: u(offLoadAddr), LoadEndAddr: u(offLoadEndAddr),
		BSSEndAddr: u(offBSSEndAddr), EntryAddr: u(offEntryAddr), Entry64: u(offEntry64),
		GDTBase: u(offGDTBase), PageTables: u(offPageTables), EntryImm: u(offEntryImm), TailStart: u(offTailStart),
		PVHEntry: u(offNoteDesc),
	}
}

// ISO 9660 volume descriptors start at sector 16 (2 KiB sectors); a BIOS
// boots the disc from the El Torito boot record among them.
const (
	isoSector      = 2048
	isoFirstVD     = 16
	isoMaxVDs      = 64 // a real set has a handful
	isoVDBoot      = 0
	isoVDEnd       = 255
	elToritoSystem = "EL TORITO SPECIFICATION"
)

// CheckISO returns nil if the file at path is an ISO 9660 image a BIOS
// can boot (it has an El Torito boot record), as warren build -iso makes;
// otherwise the error names the file and what is wrong with it.
func CheckISO(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := checkISO(data); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

func checkISO(data []byte) error {
	if len(data) == 0 {
		return errors.New("empty file, not a bootable ISO (warren build -iso makes one)")
	}
	for i := isoFirstVD; i < isoFirstVD+isoMaxVDs && (i+1)*isoSector <= len(data); i++ {
		vd := data[i*isoSector : (i+1)*isoSector]
		if string(vd[1:6]) != "CD001" {
			break
		}
		switch vd[0] {
		case isoVDBoot:
			if bytes.HasPrefix(vd[7:], []byte(elToritoSystem)) {
				return nil
			}
		case isoVDEnd:
			return errors.New("ISO 9660 image without an El Torito boot record: a BIOS cannot boot it (warren build -iso makes one that it can)")
		}
	}
	return errors.New("not an ISO 9660 image (warren build -iso makes a bootable one)")
}

// CheckDisk returns nil if the file at path is a disk image of format f
// (FormatRaw or FormatQCOW2) that a BIOS can boot, as warren build makes;
// otherwise the error names the file and what is wrong with it.
func CheckDisk(path string, f Format) error {
	file, err := os.Open(path)
	if err != nil {
		return err
	}
	defer file.Close()
	head := make([]byte, sectorSize)
	n, _ := file.Read(head)
	head = head[:n]
	switch {
	case n == 0:
		err = fmt.Errorf("empty file, not a %s disk (warren build -format %s makes one)", f, f)
	case f == FormatQCOW2 && !bytes.HasPrefix(head, []byte(qcow2Magic)):
		err = fmt.Errorf("not a qcow2 image (warren build -format qcow2 makes one)")
	case f == FormatRaw:
		err = checkRaw(head)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

func checkRaw(mbr []byte) error {
	parts, err := ReadMBR(mbr)
	if err != nil {
		return fmt.Errorf("not a bootable disk: %w (warren build -format raw makes one)", err)
	}
	for _, p := range parts {
		if p.Bootable {
			return nil
		}
	}
	return fmt.Errorf("disk without a bootable partition (warren build -format raw makes one)")
}
