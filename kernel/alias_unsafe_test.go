package kernel

import (
	"runtime"
	"testing"
	"unsafe"

	"golang.org/x/arch/x86/x86asm"
)

// TestEntryCodeRunsAtAlias checks the machine code of everything the CPU
// runs at the image's alias before trapEntry has loaded the kernel's page
// tables, and of trapExit after it has loaded a process's: it must reach
// memory only RIP-relative or through registers, jump only relatively or
// through a register, and call nothing, since at the alias the image's
// own addresses mean the process's memory. The code is read from this
// test binary, which assembles the same files.
func TestEntryCodeRunsAtAlias(t *testing.T) {
	stubs := vectorStubs()
	// Every stub ends in a jump to trapEntry.
	entry, ok := lastJumpTarget(stubs[0])
	if !ok || runtime.FuncForPC(uintptr(entry)).Name() != "warren.dev/kernel.trapEntry" {
		t.Fatalf("vector0 does not end in a jump to trapEntry")
	}
	checkFunc(t, entry)
	checkFunc(t, trapExitAddr())
	for _, s := range stubs {
		checkFunc(t, s)
	}
	// Each CPU's SYSCALL stub ends in a jump to syscallEntry, which ends
	// in one to trapEntry.
	sys, ok := lastJumpTarget(syscallStubs()[0])
	if !ok || runtime.FuncForPC(uintptr(sys)).Name() != "warren.dev/kernel.syscallEntry" {
		t.Fatalf("syscallEntry0 does not end in a jump to syscallEntry")
	}
	checkFunc(t, sys)
	seen := map[uint64]bool{}
	for c, s := range syscallStubs() {
		if seen[s] {
			t.Fatalf("syscall stub %d: address %#x again", c, s)
		}
		seen[s] = true
		checkFunc(t, s)
	}
}

// instructions decodes the function at pc up to the INT3 padding before
// the next.
func instructions(pc uint64) ([]x86asm.Inst, []uint64) {
	fn := runtime.FuncForPC(uintptr(pc))
	var ins []x86asm.Inst
	var pcs []uint64
	for at := pc; runtime.FuncForPC(uintptr(at)) == fn; {
		in, err := x86asm.Decode(unsafe.Slice((*byte)(pointerAt(at)), 15), 64)
		if err != nil || in.Op == x86asm.INT && in.Args[0] == x86asm.Imm(3) {
			break
		}
		ins, pcs = append(ins, in), append(pcs, at)
		at += uint64(in.Len)
	}
	return ins, pcs
}

func lastJumpTarget(pc uint64) (uint64, bool) {
	ins, pcs := instructions(pc)
	if len(ins) == 0 {
		return 0, false
	}
	in := ins[len(ins)-1]
	rel, ok := in.Args[0].(x86asm.Rel)
	if in.Op != x86asm.JMP || !ok {
		return 0, false
	}
	return pcs[len(pcs)-1] + uint64(in.Len) + uint64(int64(rel)), true
}

func checkFunc(t *testing.T, pc uint64) {
	t.Helper()
	name := runtime.FuncForPC(uintptr(pc)).Name()
	ins, pcs := instructions(pc)
	if len(ins) == 0 {
		t.Fatalf("%s: no code decoded", name)
	}
	for i, in := range ins {
		text := x86asm.GoSyntax(in, pcs[i], nil)
		switch in.Op {
		case x86asm.CALL, x86asm.LCALL, x86asm.LJMP:
			t.Errorf("%s: %s: no calls or far jumps at the alias", name, text)
		}
		for _, a := range in.Args {
			switch a := a.(type) {
			case x86asm.Mem:
				if a.Base == 0 && a.Index == 0 {
					t.Errorf("%s: %s: absolute memory operand", name, text)
				}
			case x86asm.Imm:
				if uint64(a) >= 0x100000 && uint64(a) < 1<<32 {
					t.Errorf("%s: %s: an immediate that looks like an address", name, text)
				}
			}
		}
	}
}
