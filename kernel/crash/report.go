// Package crash formats the report the kernel prints when it takes a fault
// it cannot hand to the Go program: a fault in kernel code, a double fault,
// an exception with no handler.
//
// Write runs on an ordinary goroutine after the trap path captured the
// machine state into a Report, so it may allocate. The output is plain
// text, one fact per line, meant to be grepped from a serial log:
//
//	kernel fault: #PF page fault
//	error=0x2 not-present write supervisor
//	cr2=0x0000000000000008
//	rip=0x000000000040a1b2 warren.dev/kernel.foo+0x12
//	insn: mov (%rax),%rbx
//	    at warren.dev/kernel.foo+0x12 kernel/foo.go:33
package crash

import (
	"bytes"
	"fmt"
	"io"

	"warren.dev/kernel/cpu"
)

// Report is the machine state captured at the fault.
type Report struct {
	Frame              cpu.TrapFrame
	CR0, CR2, CR3, CR4 uint64
	FSBase, GSBase     uint64
	Code               []byte   // bytes at Frame.RIP; 15 or more decode any instruction
	Stack              []uint64 // return PCs from a frame-pointer walk, innermost first
	Thread             int
	What               string // why the fault is fatal, e.g. "fault in kernel code"
}

// Write prints r to w in one Write call, naming code locations through sym
// (nil prints bare addresses).
func Write(w io.Writer, r *Report, sym Symbolizer) error {
	var b bytes.Buffer
	f := &r.Frame
	fmt.Fprintf(&b, "kernel fault: %s\n", vectorName(f.Vector))
	if r.What != "" {
		fmt.Fprintf(&b, "what: %s\n", r.What)
	}
	fmt.Fprintf(&b, "thread=%d\n", r.Thread)
	fmt.Fprintf(&b, "vector=%d\n", f.Vector)
	writeErrorCode(&b, f.Vector, f.ErrorCode)
	if f.Vector == vecPF {
		fmt.Fprintf(&b, "cr2=%#016x\n", r.CR2)
	}
	writeRegisters(&b, r, sym)
	writeInstruction(&b, r.Code, f.RIP, sym)
	writeBacktrace(&b, f.RIP, r.Stack, sym)
	_, err := w.Write(b.Bytes())
	return err
}

// writeRegisters prints every register of the frame and the control state.
func writeRegisters(b *bytes.Buffer, r *Report, sym Symbolizer) {
	f := &r.Frame
	fmt.Fprintf(b, "rip=%#016x %s\n", f.RIP, location(sym, f.RIP, false))
	fmt.Fprintf(b, "rsp=%#016x\n", f.RSP)
	fmt.Fprintf(b, "rflags=%#016x [%s]\n", f.RFLAGS, rflagsNames(f.RFLAGS))
	regs := [...]struct {
		name string
		v    uint64
	}{
		{"rax", f.RAX}, {"rbx", f.RBX}, {"rcx", f.RCX}, {"rdx", f.RDX},
		{"rsi", f.RSI}, {"rdi", f.RDI}, {"rbp", f.RBP},
		{"r8", f.R8}, {"r9", f.R9}, {"r10", f.R10}, {"r11", f.R11},
		{"r12", f.R12}, {"r13", f.R13}, {"r14", f.R14}, {"r15", f.R15},
	}
	for _, g := range regs {
		fmt.Fprintf(b, "%s=%#016x\n", g.name, g.v)
	}
	fmt.Fprintf(b, "cs=%#x ring=%d\n", f.CS, f.CS&3)
	fmt.Fprintf(b, "ss=%#x\n", f.SS)
	fmt.Fprintf(b, "cr0=%#016x [%s]\n", r.CR0, flagNames(r.CR0, cr0Bits))
	fmt.Fprintf(b, "cr3=%#016x\n", r.CR3)
	fmt.Fprintf(b, "cr4=%#016x [%s]\n", r.CR4, flagNames(r.CR4, cr4Bits))
	fmt.Fprintf(b, "fsbase=%#016x\n", r.FSBase)
	fmt.Fprintf(b, "gsbase=%#016x\n", r.GSBase)
}
