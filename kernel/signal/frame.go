package signal

import "warren.dev/kernel/cpu"

// The x86-64 rt_sigframe as Linux builds it below the handler's stack
// pointer (arch/x86/include/asm/sigframe.h):
//
//	pretcode   8    return address: the SA_RESTORER trampoline
//	ucontext   304  uc_flags, uc_link, uc_stack, uc_mcontext, uc_sigmask
//	siginfo    128
//
// followed, 64-byte aligned and higher up, by the FPU image that
// sigcontext.fpstate points to.
const (
	offPretcode = 0
	offUContext = 8
	offInfo     = offUContext + ucSize
	frameSize   = offInfo + InfoSize // 440

	// struct ucontext, relative to its start.
	ucFlags    = 0
	ucLink     = 8
	ucStack    = 16
	ucMContext = ucStack + AltStackSize // 40
	ucSigmask  = ucMContext + scSize    // 296
	ucSize     = ucSigmask + SetSize    // 304

	// struct sigcontext (uc_mcontext), relative to its start.
	scR8      = 0
	scR9      = 8
	scR10     = 16
	scR11     = 24
	scR12     = 32
	scR13     = 40
	scR14     = 48
	scR15     = 56
	scRDI     = 64
	scRSI     = 72
	scRBP     = 80
	scRBX     = 88
	scRDX     = 96
	scRAX     = 104
	scRCX     = 112
	scRSP     = 120
	scRIP     = 128
	scEFLAGS  = 136
	scCS      = 144 // cs, gs, fs, ss: 16 bits each
	scGS      = 146
	scFS      = 148
	scSS      = 150
	scErr     = 152
	scTrapno  = 160
	scOldmask = 168
	scCR2     = 176
	scFPState = 184
	scSize    = 256 // ends with 8 reserved words

	// uc_flags bits (asm/ucontext.h).
	ucFPXState        = 0x1
	ucSigcontextSS    = 0x2
	ucStrictRestoreSS = 0x4

	// redZone is the area below RSP that leaf code may use (SysV ABI); the
	// Go runtime's sigpanic injection also writes there.
	redZone = 128
)

// putRegs stores the general registers of f into a sigcontext.
func putRegs(sc []byte, f *cpu.TrapFrame) {
	le.PutUint64(sc[scR8:], f.R8)
	le.PutUint64(sc[scR9:], f.R9)
	le.PutUint64(sc[scR10:], f.R10)
	le.PutUint64(sc[scR11:], f.R11)
	le.PutUint64(sc[scR12:], f.R12)
	le.PutUint64(sc[scR13:], f.R13)
	le.PutUint64(sc[scR14:], f.R14)
	le.PutUint64(sc[scR15:], f.R15)
	le.PutUint64(sc[scRDI:], f.RDI)
	le.PutUint64(sc[scRSI:], f.RSI)
	le.PutUint64(sc[scRBP:], f.RBP)
	le.PutUint64(sc[scRBX:], f.RBX)
	le.PutUint64(sc[scRDX:], f.RDX)
	le.PutUint64(sc[scRAX:], f.RAX)
	le.PutUint64(sc[scRCX:], f.RCX)
	le.PutUint64(sc[scRSP:], f.RSP)
	le.PutUint64(sc[scRIP:], f.RIP)
}

// getRegs loads the general registers, RSP and RIP of f from a sigcontext.
func getRegs(sc []byte, f *cpu.TrapFrame) {
	f.R8 = le.Uint64(sc[scR8:])
	f.R9 = le.Uint64(sc[scR9:])
	f.R10 = le.Uint64(sc[scR10:])
	f.R11 = le.Uint64(sc[scR11:])
	f.R12 = le.Uint64(sc[scR12:])
	f.R13 = le.Uint64(sc[scR13:])
	f.R14 = le.Uint64(sc[scR14:])
	f.R15 = le.Uint64(sc[scR15:])
	f.RDI = le.Uint64(sc[scRDI:])
	f.RSI = le.Uint64(sc[scRSI:])
	f.RBP = le.Uint64(sc[scRBP:])
	f.RBX = le.Uint64(sc[scRBX:])
	f.RDX = le.Uint64(sc[scRDX:])
	f.RAX = le.Uint64(sc[scRAX:])
	f.RCX = le.Uint64(sc[scRCX:])
	f.RSP = le.Uint64(sc[scRSP:])
	f.RIP = le.Uint64(sc[scRIP:])
}
