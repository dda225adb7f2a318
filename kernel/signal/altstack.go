package signal

// AltStack is a thread's alternate signal stack, laid out in user memory as
// stack_t: ss_sp, ss_flags (int32, padded), ss_size. As a thread's record
// it holds what sigaltstack stored: the zero value, or Size 0, means none.
type AltStack struct {
	SP    uint64
	Flags int32
	Size  uint64
}

// AltStackSize is sizeof(stack_t).
const AltStackSize = 24

// DecodeAltStack reads a stack_t.
//
// Context: kernel (no allocation, no pointer stores).
func DecodeAltStack(b []byte) (AltStack, error) {
	if len(b) < AltStackSize {
		return AltStack{}, errInval
	}
	return AltStack{
		SP:    le.Uint64(b[0:]),
		Flags: int32(le.Uint32(b[8:])),
		Size:  le.Uint64(b[16:]),
	}, nil
}

// EncodeAltStack writes a as a stack_t, padding zeroed.
//
// Context: kernel (no allocation, no pointer stores).
func EncodeAltStack(b []byte, a *AltStack) error {
	if len(b) < AltStackSize {
		return errInval
	}
	le.PutUint64(b[0:], a.SP)
	le.PutUint32(b[8:], uint32(a.Flags))
	le.PutUint32(b[12:], 0)
	le.PutUint64(b[16:], a.Size)
	return nil
}

func (a *AltStack) enabled() bool { return a != nil && a.Size != 0 }

// contains reports whether sp lies in the stack, counting its top as
// inside and its base as outside, as Linux's __on_sig_stack: a full
// stack's sp equals the top, an exhausted one's equals the base.
func (a *AltStack) contains(sp uint64) bool {
	return a.enabled() && sp > a.SP && sp-a.SP <= a.Size
}

// OnStack reports whether sp is on the alternate stack. With SS_AUTODISARM
// the answer is always no, as on Linux: the stack was disarmed on entry.
func (a *AltStack) OnStack(sp uint64) bool {
	return a.enabled() && a.Flags&SS_AUTODISARM == 0 && a.contains(sp)
}

// status is Linux's sas_ss_flags(sp): SS_DISABLE, SS_ONSTACK or 0.
func (a *AltStack) status(sp uint64) int32 {
	switch {
	case !a.enabled():
		return SS_DISABLE
	case a.OnStack(sp):
		return SS_ONSTACK
	}
	return 0
}

// saved is the stack_t recorded in a signal frame's uc_stack: the stored
// values, with SS_DISABLE when no stack is set.
func (a *AltStack) saved() AltStack {
	if !a.enabled() {
		return AltStack{Flags: SS_DISABLE}
	}
	return *a
}

// Query is sigaltstack's old-stack result for a thread whose user stack
// pointer is sp.
//
// Context: kernel (no allocation, no pointer stores).
func (a *AltStack) Query(sp uint64) AltStack {
	if !a.enabled() {
		return AltStack{Flags: SS_DISABLE | a.autodisarm()}
	}
	return AltStack{SP: a.SP, Flags: a.status(sp) | a.autodisarm(), Size: a.Size}
}

func (a *AltStack) autodisarm() int32 {
	if a == nil {
		return 0
	}
	return a.Flags & SS_AUTODISARM
}

// Set is sigaltstack's new-stack half for a thread whose user stack
// pointer is sp: EPERM while running on the current alternate stack,
// EINVAL for unknown flags, ENOMEM for a stack under MINSIGSTKSZ.
// SS_DISABLE clears the stack.
//
// Context: kernel (no allocation, no pointer stores).
func (a *AltStack) Set(ss AltStack, sp uint64) error {
	if a.OnStack(sp) {
		return errPerm
	}
	switch ss.Flags &^ SS_AUTODISARM {
	case SS_DISABLE:
		*a = AltStack{Flags: ss.Flags}
		return nil
	case 0, SS_ONSTACK: // SS_ONSTACK is accepted as "enable", as on Linux
	default:
		return errInval
	}
	if ss.Size < MINSIGSTKSZ {
		return errNoMem
	}
	*a = ss
	return nil
}
