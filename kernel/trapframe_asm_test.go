package kernel

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"warren.dev/kernel/cpu"
)

// The entry and exit stubs build and take apart cpu.TrapFrame by pushes
// and pops, which go_asm.h cannot check: these tests read the stubs'
// assembly, wherever it lives, and match each push and pop to the
// field's offset.

// asmText returns the instructions of TEXT ·name(SB) in the kernel's
// assembly files, comments and labels dropped; instructions on one line
// are split at semicolons, as the generated stubs write them.
func asmText(t *testing.T, name string) []string {
	t.Helper()
	files, err := filepath.Glob("*.s")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var body []string
		in := false
		var stmts []string
		for _, line := range strings.Split(string(src), "\n") {
			line, _, _ = strings.Cut(line, "//")
			stmts = append(stmts, strings.Split(line, ";")...)
		}
		for _, line := range stmts {
			line = strings.TrimSpace(line)
			if strings.HasPrefix(line, "TEXT ") {
				if in {
					break
				}
				in = strings.HasPrefix(line, "TEXT ·"+name+"(SB)")
				continue
			}
			if in && line != "" && !strings.HasSuffix(line, ":") {
				body = append(body, line)
			}
		}
		if in {
			return body
		}
	}
	t.Fatalf("no TEXT ·%s(SB) in the kernel's assembly", name)
	return nil
}

// operands returns the operand of each instruction of body with the
// mnemonic op, in order.
func operands(body []string, op string) []string {
	var out []string
	for _, in := range body {
		if rest, ok := strings.CutPrefix(in, op+" "); ok {
			out = append(out, strings.TrimSpace(rest))
		}
	}
	return out
}

// frameField is the name of the cpu.TrapFrame field at offset off.
func frameField(t *testing.T, off uintptr) string {
	t.Helper()
	ft := reflect.TypeFor[cpu.TrapFrame]()
	for i := range ft.NumField() {
		if ft.Field(i).Offset == off {
			return ft.Field(i).Name
		}
	}
	t.Fatalf("no cpu.TrapFrame field at %d", off)
	return ""
}

func frameOffset(t *testing.T, field string) uintptr {
	t.Helper()
	f, ok := reflect.TypeFor[cpu.TrapFrame]().FieldByName(field)
	if !ok {
		t.Fatalf("cpu.TrapFrame has no field %s", field)
	}
	return f.Offset
}

// regField is the cpu.TrapFrame field of a general register as Go's
// assembler names it.
func regField(reg string) string {
	if strings.HasPrefix(reg, "R") {
		return reg // R8..R15
	}
	return "R" + reg // AX -> RAX
}

// TestTrapEntryFrame: trapEntry pushes the general registers onto the
// vector and error code so that each lands in its field, the last push
// at offset 0.
func TestTrapEntryFrame(t *testing.T) {
	pushes := operands(asmText(t, "trapEntry"), "PUSHQ")
	n := len(pushes)
	if off := frameOffset(t, "Vector"); uintptr(8*n) != off {
		t.Fatalf("trapEntry pushes %d registers; the vector is at %d", n, off)
	}
	for i, reg := range pushes {
		if got, want := regField(reg), frameField(t, uintptr(8*(n-1-i))); got != want {
			t.Errorf("push %d (%s) lands in %s", i, reg, want)
		}
	}
}

// TestTrapExitFrame: trapExit pops each general register from its field
// and then skips the vector and error code to reach RIP for IRETQ.
func TestTrapExitFrame(t *testing.T) {
	body := asmText(t, "trapExit")
	pops := operands(body, "POPQ")
	for i, reg := range pops {
		if got, want := regField(reg), frameField(t, uintptr(8*i)); got != want {
			t.Errorf("pop %d (%s) reads %s", i, reg, want)
		}
	}
	skip := operands(body, "ADDQ")
	if len(skip) != 1 || uintptr(8*len(pops)+16) != frameOffset(t, "RIP") || skip[0] != "$16, SP" {
		t.Errorf("trapExit pops %d registers and adds %q to SP; RIP is at %d", len(pops), skip, frameOffset(t, "RIP"))
	}
}

// TestSyscallEntryFrame: the SYSCALL path builds the frame the CPU would
// for an interrupt from user mode: each CPU's stub pushes the user SS
// and RSP, syscallEntry the rest down to the vector, VectorSyscall.
func TestSyscallEntryFrame(t *testing.T) {
	want := map[string]string{
		"RFLAGS":    "R11", // where SYSCALL leaves them
		"CS":        fmt.Sprintf("$%#x", cpu.UserCS),
		"RIP":       "CX",
		"ErrorCode": "$0",
		"Vector":    fmt.Sprintf("$%d", cpu.VectorSyscall),
	}
	pushes := operands(asmText(t, "syscallEntry"), "PUSHQ")
	if len(pushes) != len(want) {
		t.Fatalf("syscallEntry pushes %q", pushes)
	}
	top := frameOffset(t, "RSP")
	for i, op := range pushes {
		field := frameField(t, top-uintptr(8*(i+1)))
		if op != want[field] {
			t.Errorf("push %d (%s) lands in %s, which takes %s", i, op, field, want[field])
		}
	}
	if frameOffset(t, "SS") != top+8 {
		t.Errorf("SS is not just above RSP")
	}
	for c := range maxCPUs {
		pushes := operands(asmText(t, fmt.Sprintf("syscallEntry%d", c)), "PUSHQ")
		if len(pushes) != 2 || pushes[0] != fmt.Sprintf("$%#x", cpu.UserDS) {
			t.Fatalf("syscallEntry%d pushes %q, not the user SS (%#x) and RSP", c, pushes, cpu.UserDS)
		}
	}
}
