package kernel

import (
	"os"
	"regexp"
	"strconv"
	"testing"
	"unsafe"

	"warren.dev/kernel/cpu"
)

// The entry code finds the interrupted privilege level at FRAME_CS: the
// offset of CS in cpu.TrapFrame, which lives in another package, so
// go_asm.h cannot give it.
func TestTrapFrameCS(t *testing.T) {
	src, err := os.ReadFile("entry_amd64.h")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^#define FRAME_CS (\d+)$`).FindSubmatch(src)
	if m == nil {
		t.Fatal("entry_amd64.h defines no FRAME_CS")
	}
	asm, _ := strconv.Atoi(string(m[1]))
	var f cpu.TrapFrame
	if off := unsafe.Offsetof(f.CS); int(off) != asm {
		t.Errorf("cpu.TrapFrame.CS is at %d; entry_amd64.h says %d", off, asm)
	}
}
