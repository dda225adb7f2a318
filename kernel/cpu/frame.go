// Package cpu is Warren's one gate to privileged x86-64 instructions and the
// CPU-defined data layouts (trap frames, descriptor tables).
package cpu

// TrapFrame is the machine state saved on a thread's kernel stack when it
// enters the kernel through an interrupt, an exception or SYSCALL. The
// layout is fixed by the entry code (kernel/trapentry_amd64.s: the
// general registers are pushed last, so they come first) and by the CPU
// (RIP..SS); a test checks the offsets the entry code uses.
type TrapFrame struct {
	R15, R14, R13, R12, R11, R10, R9, R8 uint64
	RDI, RSI, RBP, RBX, RDX, RCX, RAX    uint64

	// Vector is the interrupt vector, or VectorSyscall for SYSCALL.
	Vector uint64
	// ErrorCode is the CPU's error code, or 0 for vectors without one.
	ErrorCode uint64

	RIP, CS, RFLAGS, RSP, SS uint64
}

// VectorSyscall marks a frame built by the SYSCALL entry; real vectors are
// 0-255.
const VectorSyscall = 256

// Segment selectors of Warren's GDT. User selectors carry RPL 3.
const (
	KernelCS = 0x08
	KernelDS = 0x10
	UserDS   = 0x18 | 3
	UserCS   = 0x20 | 3
	TSSSel   = 0x28
)

// RFLAGS bits.
const (
	FlagCF   = 1 << 0
	FlagTF   = 1 << 8
	FlagIF   = 1 << 9
	FlagDF   = 1 << 10
	FlagIOPL = 3 << 12
	FlagNT   = 1 << 14
	FlagRF   = 1 << 16
	FlagAC   = 1 << 18
	FlagID   = 1 << 21
)

// FromUser reports whether the frame was saved while the CPU ran at
// privilege level 3.
func (f *TrapFrame) FromUser() bool { return f.CS&3 == 3 }
