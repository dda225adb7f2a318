package signal

import (
	"warren.dev/kernel/cpu"

	"warren.dev/mm/usercopy"
)

// userFlags are the RFLAGS bits a sigreturn may change: CF PF AF ZF SF TF
// DF OF AC ID. IF stays set and IOPL, NT, RF, VM keep the kernel's values.
const userFlags = cpu.FlagCF | 1<<2 | 1<<4 | 1<<6 | 1<<7 | cpu.FlagTF |
	cpu.FlagDF | 1<<11 | cpu.FlagAC | cpu.FlagID

// rflagsFixed is bit 1 of RFLAGS, always set.
const rflagsFixed = 1 << 1

// Return implements rt_sigreturn for the thread described by f, which
// entered through the restorer's SYSCALL: the handler's RET popped
// pretcode, so the ucontext starts at f.RSP. It restores the general
// registers, RIP, RSP and the user-modifiable RFLAGS from uc_mcontext
// (honouring any edits the handler made there, such as the Go runtime's
// sigpanic injection), forces CS and SS to the user selectors, and returns
// uc_sigmask without SIGKILL and SIGSTOP, for the caller to install.
//
// The FPU image at sigcontext.fpstate is copied into fpstate and made
// safe to restore (see sanitizeFP). A null fpstate pointer resets the FPU
// to its init state, as Linux does. A misaligned or unreadable image also
// resets it and fails with EFAULT.
//
// On EFAULT f is unchanged and the kernel must kill the process with
// SIGSEGV, as Linux's badframe path does. On success the caller must leave
// f.RAX (the restored RAX, not a syscall result) and must return to user
// mode with IRET, since SYSRET would clobber the restored RCX and R11.
//
// uc_stack is not applied (Linux calls sigaltstack with it); the Go
// runtime never edits it, so the thread's alternate stack is already what
// it says.
//
// Context: kernel (no allocation, no pointer stores).
func Return[M usercopy.Space](f *cpu.TrapFrame, mem M, fpstate []byte) (blocked Set, err error) {
	var uc [ucSize]byte
	if !copyIn(mem, uc[:], f.RSP) {
		return 0, errFault
	}
	sc := uc[ucMContext : ucMContext+scSize]
	if err := restoreFP(le.Uint64(sc[scFPState:]), mem, fpstate); err != nil {
		return 0, err
	}
	getRegs(sc, f)
	flags := le.Uint64(sc[scEFLAGS:])
	f.RFLAGS = f.RFLAGS&^userFlags | flags&userFlags | cpu.FlagIF | rflagsFixed
	f.CS = cpu.UserCS
	f.SS = cpu.UserDS
	return Set(le.Uint64(uc[ucSigmask:])).Blockable(), nil
}

// restoreFP copies the user's FPU image at ptr into img and sanitizes it.
func restoreFP[M usercopy.Space](ptr uint64, mem M, img []byte) error {
	if len(img) == 0 {
		return nil
	}
	k := saveKernelFP(img)
	if ptr == 0 {
		resetFP(img, &k)
		return nil
	}
	if ptr%fpAlign(img) != 0 || !copyIn(mem, img, ptr) {
		resetFP(img, &k)
		return errFault
	}
	userSW := true
	if len(img) > fxsaveSize {
		var m [fpxMagic2Size]byte
		userSW = swValid(img) && copyIn(mem, m[:], ptr+uint64(len(img))) &&
			le.Uint32(m[:]) == fpxMagic2
	}
	sanitizeFP(img, &k, userSW)
	return nil
}
