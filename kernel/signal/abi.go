// Package signal holds the Linux x86-64 signal ABI: the user-visible data
// layouts (sigset, struct sigaction, stack_t, siginfo_t, the rt_sigframe)
// and the two operations that move a thread in and out of a handler,
// Deliver and Return (rt_sigreturn). It is pure: user memory is reached
// through a usercopy.Space, machine state is a cpu.TrapFrame.
package signal

import "golang.org/x/sys/unix"

// Linux uapi constants that golang.org/x/sys/unix does not define for
// linux/amd64 (asm-generic/signal-defs.h, asm/signal.h, asm-generic/siginfo.h).
const (
	SA_NOCLDSTOP = 0x00000001
	SA_NOCLDWAIT = 0x00000002
	SA_SIGINFO   = 0x00000004
	SA_RESTORER  = 0x04000000
	SA_ONSTACK   = 0x08000000
	SA_RESTART   = 0x10000000
	SA_NODEFER   = 0x40000000
	SA_RESETHAND = 0x80000000

	SS_ONSTACK    = 1
	SS_DISABLE    = 2
	SS_AUTODISARM = -1 << 31 // 1<<31 as the int32 ss_flags field holds it

	// MINSIGSTKSZ is the smallest alternate stack sigaltstack accepts.
	MINSIGSTKSZ = 2048

	SI_USER    = 0
	SI_KERNEL  = 0x80
	SI_QUEUE   = -1
	SI_TIMER   = -2
	SI_MESGQ   = -3
	SI_ASYNCIO = -4
	SI_SIGIO   = -5
	SI_TKILL   = -6

	SEGV_MAPERR = 1
	SEGV_ACCERR = 2
	BUS_ADRALN  = 1
	BUS_ADRERR  = 2
	ILL_ILLOPC  = 1
	FPE_INTDIV  = 1
	TRAP_BRKPT  = 1
	TRAP_TRACE  = 2
)

// Signal numbers used below, from x/sys/unix.
const (
	sigKILL = int(unix.SIGKILL)
	sigSTOP = int(unix.SIGSTOP)
	sigILL  = int(unix.SIGILL)
	sigTRAP = int(unix.SIGTRAP)
	sigBUS  = int(unix.SIGBUS)
	sigFPE  = int(unix.SIGFPE)
	sigSEGV = int(unix.SIGSEGV)
	sigCHLD = int(unix.SIGCHLD)
	sigPOLL = int(unix.SIGPOLL)
	sigSYS  = int(unix.SIGSYS)
)

// NSig is the highest signal number; valid signals are 1..NSig.
const NSig = 64

// Errors, as errno values. Held in variables so returning them converts
// nothing at run time.
var (
	errFault error = unix.EFAULT
	errInval error = unix.EINVAL
	errPerm  error = unix.EPERM
	errNoMem error = unix.ENOMEM
)
