package signal

// Info is a siginfo_t. Which fields reach user memory depends on the
// layout Linux picks from (Signo, Code); see layoutOf.
type Info struct {
	Signo, Errno, Code int32

	// Addr is si_addr for faults (SIGSEGV, SIGBUS, SIGILL, SIGFPE,
	// SIGTRAP) and si_call_addr for SIGSYS.
	Addr uint64
	// Pid and Uid name the sender (kill, tgkill, sigqueue) or the child
	// (SIGCHLD).
	Pid, Uid int32
	// Value is si_value (sigqueue, POSIX timers).
	Value uint64
	// TimerID and Overrun describe a POSIX timer expiry (SI_TIMER).
	TimerID, Overrun int32
	// Status, UTime and STime describe a child (SIGCHLD).
	Status       int32
	UTime, STime int64
	// Band and FD describe an I/O event (SIGPOLL, SI_SIGIO).
	Band int64
	FD   int32
	// Syscall and Arch describe a seccomp trap (SIGSYS).
	Syscall int32
	Arch    uint32
}

// InfoSize is sizeof(siginfo_t).
const InfoSize = 128

// siginfo_t offsets: three ints, padding, then the union at 16.
const (
	offSigno = 0
	offErrno = 4
	offCode  = 8
	offUnion = 16
)

type layout int

const (
	layoutKill  layout = iota // pid, uid
	layoutTimer               // tid, overrun, sigval
	layoutRT                  // pid, uid, sigval
	layoutChild               // pid, uid, status, utime, stime
	layoutFault               // addr
	layoutPoll                // band, fd
	layoutSys                 // call_addr, syscall, arch
)

// Number of si_code values each signal defines (NSIGILL, ...), which
// bounds the codes that select that signal's layout.
const (
	nSigILL  = 11
	nSigFPE  = 15
	nSigSEGV = 10
	nSigBUS  = 5
	nSigTRAP = 6
	nSigCHLD = 6
	nSigPOLL = 6
	nSigSYS  = 2
)

// layoutOf picks the union member as Linux's siginfo_layout does:
// kernel codes (SI_USER < code < SI_KERNEL) select a per-signal member,
// negative codes the queued/timer ones, anything else the kill one.
func layoutOf(sig, code int32) layout {
	if code > SI_USER && code < SI_KERNEL {
		c := int(code)
		switch int(sig) {
		case sigILL:
			if c <= nSigILL {
				return layoutFault
			}
		case sigFPE:
			if c <= nSigFPE {
				return layoutFault
			}
		case sigSEGV:
			if c <= nSigSEGV {
				return layoutFault
			}
		case sigBUS:
			if c <= nSigBUS {
				return layoutFault
			}
		case sigTRAP:
			if c <= nSigTRAP {
				return layoutFault
			}
		case sigCHLD:
			if c <= nSigCHLD {
				return layoutChild
			}
		case sigPOLL:
			if c <= nSigPOLL {
				return layoutPoll
			}
		case sigSYS:
			if c <= nSigSYS {
				return layoutSys
			}
		}
		if c <= nSigPOLL {
			return layoutPoll
		}
		return layoutKill
	}
	switch {
	case code == SI_TIMER:
		return layoutTimer
	case code == SI_SIGIO:
		return layoutPoll
	case code < 0:
		return layoutRT
	}
	return layoutKill
}

// EncodeInfo writes i as a siginfo_t into b[:InfoSize], zeroing the rest.
//
// Context: kernel (no allocation, no pointer stores).
func EncodeInfo(b []byte, i *Info) error {
	if len(b) < InfoSize {
		return errInval
	}
	b = b[:InfoSize]
	clear(b)
	le.PutUint32(b[offSigno:], uint32(i.Signo))
	le.PutUint32(b[offErrno:], uint32(i.Errno))
	le.PutUint32(b[offCode:], uint32(i.Code))
	u := b[offUnion:]
	switch layoutOf(i.Signo, i.Code) {
	case layoutKill:
		putPidUid(u, i)
	case layoutTimer:
		le.PutUint32(u[0:], uint32(i.TimerID))
		le.PutUint32(u[4:], uint32(i.Overrun))
		le.PutUint64(u[8:], i.Value)
	case layoutRT:
		putPidUid(u, i)
		le.PutUint64(u[8:], i.Value)
	case layoutChild:
		putPidUid(u, i)
		le.PutUint32(u[8:], uint32(i.Status))
		le.PutUint64(u[16:], uint64(i.UTime))
		le.PutUint64(u[24:], uint64(i.STime))
	case layoutFault:
		le.PutUint64(u[0:], i.Addr)
	case layoutPoll:
		le.PutUint64(u[0:], uint64(i.Band))
		le.PutUint32(u[8:], uint32(i.FD))
	case layoutSys:
		le.PutUint64(u[0:], i.Addr)
		le.PutUint32(u[8:], uint32(i.Syscall))
		le.PutUint32(u[12:], i.Arch)
	}
	return nil
}

func putPidUid(u []byte, i *Info) {
	le.PutUint32(u[0:], uint32(i.Pid))
	le.PutUint32(u[4:], uint32(i.Uid))
}

// DecodeInfo reads a siginfo_t (as rt_sigqueueinfo passes one), keeping
// the fields of the layout its signo and code select.
//
// Context: kernel (no allocation, no pointer stores).
func DecodeInfo(b []byte) (Info, error) {
	var i Info
	if len(b) < InfoSize {
		return i, errInval
	}
	i.Signo = int32(le.Uint32(b[offSigno:]))
	i.Errno = int32(le.Uint32(b[offErrno:]))
	i.Code = int32(le.Uint32(b[offCode:]))
	u := b[offUnion:InfoSize]
	switch layoutOf(i.Signo, i.Code) {
	case layoutKill:
		getPidUid(u, &i)
	case layoutTimer:
		i.TimerID = int32(le.Uint32(u[0:]))
		i.Overrun = int32(le.Uint32(u[4:]))
		i.Value = le.Uint64(u[8:])
	case layoutRT:
		getPidUid(u, &i)
		i.Value = le.Uint64(u[8:])
	case layoutChild:
		getPidUid(u, &i)
		i.Status = int32(le.Uint32(u[8:]))
		i.UTime = int64(le.Uint64(u[16:]))
		i.STime = int64(le.Uint64(u[24:]))
	case layoutFault:
		i.Addr = le.Uint64(u[0:])
	case layoutPoll:
		i.Band = int64(le.Uint64(u[0:]))
		i.FD = int32(le.Uint32(u[8:]))
	case layoutSys:
		i.Addr = le.Uint64(u[0:])
		i.Syscall = int32(le.Uint32(u[8:]))
		i.Arch = le.Uint32(u[12:])
	}
	return i, nil
}

func getPidUid(u []byte, i *Info) {
	i.Pid = int32(le.Uint32(u[0:]))
	i.Uid = int32(le.Uint32(u[4:]))
}
