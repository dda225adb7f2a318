package signal

import (
	"encoding/binary"
	"math/bits"
)

var le = binary.LittleEndian

// Set is a Linux sigset_t on x86-64: bit n-1 stands for signal n. The
// kernel's sigset is 8 bytes; rt_sig* syscalls must reject any other
// sigsetsize with EINVAL, which is the caller's check.
type Set uint64

// SetSize is the only sigsetsize the rt_sig* syscalls accept.
const SetSize = 8

// Unblockable holds the signals no mask may block.
const Unblockable = Set(1<<(sigKILL-1) | 1<<(sigSTOP-1))

// Valid reports whether sig is a signal number (1..64).
func Valid(sig int) bool { return sig >= 1 && sig <= NSig }

// Bit is the set holding only sig, or empty for an invalid number.
func Bit(sig int) Set {
	if !Valid(sig) {
		return 0
	}
	return 1 << (sig - 1)
}

// Has reports whether sig is in s.
func (s Set) Has(sig int) bool { return Valid(sig) && s&Bit(sig) != 0 }

// Add returns s with sig added.
func (s Set) Add(sig int) Set { return s | Bit(sig) }

// Del returns s with sig removed.
func (s Set) Del(sig int) Set { return s &^ Bit(sig) }

// Blockable returns s without SIGKILL and SIGSTOP, as Linux stores masks.
func (s Set) Blockable() Set { return s &^ Unblockable }

// Lowest returns the lowest-numbered signal in s, or 0 if s is empty.
func (s Set) Lowest() int {
	if s == 0 {
		return 0
	}
	return bits.TrailingZeros64(uint64(s)) + 1
}

// DecodeSet reads an 8-byte sigset_t.
//
// Context: kernel (no allocation, no pointer stores).
func DecodeSet(b []byte) (Set, error) {
	if len(b) < SetSize {
		return 0, errInval
	}
	return Set(le.Uint64(b)), nil
}

// EncodeSet writes s as an 8-byte sigset_t.
//
// Context: kernel (no allocation, no pointer stores).
func EncodeSet(b []byte, s Set) error {
	if len(b) < SetSize {
		return errInval
	}
	le.PutUint64(b, uint64(s))
	return nil
}
