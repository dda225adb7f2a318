package build_test

import (
	"debug/elf"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"warren.dev/tools/build"
)

// TestCheckImage checks a Warren image and files that are not one: each
// error names the file and what is wrong.
func TestCheckImage(t *testing.T) {
	image := helloImage(t)
	if err := build.CheckImage(image); err != nil {
		t.Fatalf("a Warren image: %v", err)
	}
	data, err := os.ReadFile(image)
	if err != nil {
		t.Fatal(err)
	}
	self, err := os.ReadFile(os.Args[0]) // this test binary: x86-64 ELF, no kernel
	if err != nil {
		t.Fatal(err)
	}
	arm := append([]byte(nil), self...)
	binary.LittleEndian.PutUint16(arm[0x12:], uint16(elf.EM_AARCH64))
	place, _, err := build.Layout(data)
	if err != nil {
		t.Fatal(err)
	}
	unpatched := append([]byte(nil), data...)
	clear(unpatched[place.Offset+0x0c : place.Offset+0x20]) // the address fields, outside the checksum

	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"empty.elf", nil, "empty file, not a Warren image"},
		{"notelf.bin", []byte("#!/bin/sh\necho hi\n"), "not an ELF file"},
		{"short.elf", []byte(elf.ELFMAG + "\x02\x01"), "damaged ELF file"},
		{"arm.elf", arm, "ELF file for EM_AARCH64"},
		{"plain.elf", self, "ELF file without Warren's kernel and Multiboot header"},
		{"unpatched.elf", unpatched, "Multiboot header is not filled in"},
	} {
		path := filepath.Join(dir, tc.name)
		if err := os.WriteFile(path, tc.data, 0o644); err != nil {
			t.Fatal(err)
		}
		err := build.CheckImage(path)
		if err == nil || !strings.Contains(err.Error(), path+": ") || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an error naming the file and saying %q", tc.name, err, tc.want)
		}
	}
	if err := build.CheckImage(filepath.Join(dir, "missing.elf")); err == nil || !strings.Contains(err.Error(), "missing.elf") {
		t.Errorf("missing file: %v", err)
	}
}
