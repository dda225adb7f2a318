package signal

// Action is the kernel's struct sigaction on x86-64, as rt_sigaction
// passes it: handler, flags, restorer, then an 8-byte mask.
//
// The rt_sigaction caller checks what this type does not: sigsetsize must
// be SetSize (else EINVAL), the signal must be valid and not SIGKILL or
// SIGSTOP (else EINVAL), and Linux stores Mask.Blockable(). Handler 0 is
// SIG_DFL, 1 SIG_IGN.
type Action struct {
	Handler, Flags, Restorer uint64
	Mask                     Set
}

// ActionSize is sizeof(struct sigaction) in the kernel ABI.
const ActionSize = 32

// Handler values with special meaning.
const (
	SIG_DFL = 0
	SIG_IGN = 1
)

// DecodeAction reads a struct sigaction.
//
// Context: kernel (no allocation, no pointer stores).
func DecodeAction(b []byte) (Action, error) {
	if len(b) < ActionSize {
		return Action{}, errInval
	}
	return Action{
		Handler:  le.Uint64(b[0:]),
		Flags:    le.Uint64(b[8:]),
		Restorer: le.Uint64(b[16:]),
		Mask:     Set(le.Uint64(b[24:])),
	}, nil
}

// EncodeAction writes a as a struct sigaction.
//
// Context: kernel (no allocation, no pointer stores).
func EncodeAction(b []byte, a *Action) error {
	if len(b) < ActionSize {
		return errInval
	}
	le.PutUint64(b[0:], a.Handler)
	le.PutUint64(b[8:], a.Flags)
	le.PutUint64(b[16:], a.Restorer)
	le.PutUint64(b[24:], uint64(a.Mask))
	return nil
}
