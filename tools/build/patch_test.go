package build

import (
	"encoding/binary"
	"os"
	"testing"
)

func TestPatchRejects(t *testing.T) {
	self, err := os.ReadFile(os.Args[0]) // this test binary: ELF, no header
	if err != nil {
		t.Fatal(err)
	}
	if _, err := PatchImage([]byte("not an elf at all")); err == nil || !contains(err.Error(), "not an ELF") {
		t.Errorf("non-ELF: %v", err)
	}
	// go test strips test binaries; either way there is no header symbol.
	if _, err := PatchImage(append([]byte(nil), self...)); err == nil || !(contains(err.Error(), HeaderSymbol) || contains(err.Error(), "stripped")) {
		t.Errorf("ELF without the header symbol: %v", err)
	}
}

// TestFlatLoads checks the one-block rule on a doctored copy of this test
// binary: moving one PT_LOAD's address breaks the vaddr-offset delta.
func TestFlatLoads(t *testing.T) {
	data, err := os.ReadFile(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	le := binary.LittleEndian
	phoff, phentsize, phnum := le.Uint64(data[0x20:]), int(le.Uint16(data[0x36:])), int(le.Uint16(data[0x38:]))
	loads := 0
	for i := 0; i < phnum; i++ {
		ph := data[int(phoff)+i*phentsize:]
		if le.Uint32(ph) != 1 { // PT_LOAD
			continue
		}
		if loads++; loads == 2 {
			le.PutUint64(ph[0x10:], le.Uint64(ph[0x10:])+0x1000) // p_vaddr
		}
	}
	if loads < 2 {
		t.Skip("test binary has a single PT_LOAD")
	}
	if _, err := PatchImage(data); err == nil || !contains(err.Error(), "cannot load as one block") {
		t.Errorf("got %v, want a one-block error", err)
	}
}
