package signal

import (
	"warren.dev/kernel/cpu"

	"warren.dev/mm/usercopy"
)

// Deliver sets the thread described by f up to run act's handler for sig,
// exactly as Linux's x86-64 setup_rt_frame does: it writes an rt_sigframe
// (restorer return address, ucontext holding the interrupted state and the
// blocked mask, siginfo, FPU image) on the alternate stack when SA_ONSTACK
// asks for it and the thread is not already on it, else below f.RSP's red
// zone; then points f at the handler with RDI=sig, RSI=&siginfo,
// RDX=&ucontext, RAX=0 and RSP+8 16-byte aligned, as after a CALL.
//
// blocked is the thread's mask before delivery; the result is the mask
// to install while the handler runs. fpstate is the thread's FXSAVE or
// standard-format XSAVE image (XSAVE needs PrepareXSave), or empty for no
// FPU state. If alt has SS_AUTODISARM it is disarmed, as on Linux.
//
// On error f, alt and the mask are unchanged. EFAULT means the frame could
// not be written (bad stack, alternate stack overflow, or no SA_RESTORER,
// which x86-64 Linux requires): the kernel must then kill the thread's
// process with SIGSEGV, as Linux's force_sigsegv does. EINVAL means a bad
// sig, a frame not from user mode, or an fpstate of bad length or not
// prepared: kernel bugs.
//
// Left to the caller: SA_RESETHAND (reset the stored action after
// delivery) and syscall restart (SA_RESTART, adjusting f before Deliver).
//
// Context: kernel (no allocation, no pointer stores).
func Deliver[M usercopy.Space](f *cpu.TrapFrame, sig int, info *Info, act *Action, alt *AltStack,
	blocked Set, fpstate []byte, mem M) (newBlocked Set, err error) {
	if !Valid(sig) || act == nil || info == nil || !f.FromUser() {
		return blocked, errInval
	}
	if act.Flags&SA_RESTORER == 0 {
		return blocked, errFault
	}
	fpSize, xsave, err := fpFrameSize(fpstate)
	if err != nil {
		return blocked, err
	}
	frame, fp, ok := place(f.RSP, act.Flags, alt, fpSize)
	if !ok {
		return blocked, errFault
	}

	var b [frameSize]byte
	le.PutUint64(b[offPretcode:], act.Restorer)
	uc := b[offUContext : offUContext+ucSize]
	ucf := uint64(ucSigcontextSS | ucStrictRestoreSS)
	if xsave {
		ucf |= ucFPXState
	}
	le.PutUint64(uc[ucFlags:], ucf)
	saved := alt.saved()
	EncodeAltStack(uc[ucStack:], &saved)
	putSigcontext(uc[ucMContext:ucMContext+scSize], f, info, blocked, fp)
	le.PutUint64(uc[ucSigmask:], uint64(blocked))
	if act.Flags&SA_SIGINFO != 0 {
		EncodeInfo(b[offInfo:], info)
	}

	if fpSize > 0 {
		if !copyOut(mem, fp, fpstate) {
			return blocked, errFault
		}
		if xsave {
			var m [fpxMagic2Size]byte
			le.PutUint32(m[:], fpxMagic2)
			if !copyOut(mem, fp+uint64(len(fpstate)), m[:]) {
				return blocked, errFault
			}
		}
	}
	if !copyOut(mem, frame, b[:]) {
		return blocked, errFault
	}

	f.RIP = act.Handler
	f.RSP = frame
	f.RDI = uint64(sig)
	f.RSI = frame + offInfo
	f.RDX = frame + offUContext
	f.RAX = 0 // for handlers declared without a prototype (varargs)
	f.RFLAGS &^= cpu.FlagTF | cpu.FlagDF | cpu.FlagRF
	f.CS = cpu.UserCS
	f.SS = cpu.UserDS
	if alt != nil && alt.Flags&SS_AUTODISARM != 0 {
		*alt = AltStack{Flags: SS_DISABLE}
	}

	newBlocked = blocked | act.Mask
	if act.Flags&SA_NODEFER == 0 {
		newBlocked |= Bit(sig)
	}
	return newBlocked.Blockable(), nil
}

// place picks the frame and FPU image addresses as Linux's get_sigframe:
// skip the red zone, maybe switch to the alternate stack, put the image
// 64-byte aligned on top, the frame below it rounded down to 16 bytes
// minus 8 (align_sigframe), so frame+8 is 16-byte aligned. A frame that would leave the alternate stack it is on,
// or wrap below address 0, is refused.
func place(sp, flags uint64, alt *AltStack, fpSize uint64) (frame, fp uint64, ok bool) {
	nested := alt.OnStack(sp)
	entering := false
	if sp < redZone {
		return 0, 0, false
	}
	top := sp - redZone
	if flags&SA_ONSTACK != 0 && alt.status(top) == 0 {
		top = alt.SP + alt.Size
		if top < alt.SP {
			return 0, 0, false
		}
		entering = true
	}
	if top < fpSize+64+frameSize+16 {
		return 0, 0, false
	}
	base := top
	if fpSize > 0 {
		fp = (top - fpSize) &^ 63
		base = fp
	}
	frame = (base-frameSize)&^15 - 8
	if (nested || entering) && !alt.contains(frame) {
		return 0, 0, false
	}
	return frame, fp, true
}

// putSigcontext fills uc_mcontext from the interrupted state.
func putSigcontext(sc []byte, f *cpu.TrapFrame, info *Info, blocked Set, fp uint64) {
	putRegs(sc, f)
	le.PutUint64(sc[scEFLAGS:], f.RFLAGS)
	le.PutUint16(sc[scCS:], uint16(f.CS))
	le.PutUint16(sc[scSS:], uint16(f.SS)) // gs and fs stay 0, as on Linux
	// Exception details, for signals caused by a CPU exception.
	if f.Vector < 32 {
		le.PutUint64(sc[scErr:], f.ErrorCode)
		le.PutUint64(sc[scTrapno:], f.Vector)
		if f.Vector == 14 { // #PF: CR2 is the faulting address, si_addr
			le.PutUint64(sc[scCR2:], info.Addr)
		}
	}
	le.PutUint64(sc[scOldmask:], uint64(blocked))
	le.PutUint64(sc[scFPState:], fp)
}
