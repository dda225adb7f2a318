package kernel

import (
	"golang.org/x/sys/unix"

	"warren.dev/kernel/cpu"
	"warren.dev/kernel/hwabi"
	"warren.dev/kernel/procabi"
	"warren.dev/kernel/signal"
	"warren.dev/kernel/sockabi"
	"warren.dev/kernel/statsabi"
)

// SysFunc handles one system call. Arguments are in the frame's registers
// (RDI, RSI, RDX, R10, R8, R9); it returns the result or an errno.
type SysFunc func(f *cpu.TrapFrame) (uint64, unix.Errno)

// Support says how completely an entry implements the Linux call.
type Support uint8

const (
	Full    Support = iota // Linux semantics for every argument Go programs pass
	Partial                // common cases; the note says what is missing
	Stub                   // succeeds or fails in a fixed way that programs tolerate
)

func (s Support) String() string {
	switch s {
	case Full:
		return "full"
	case Partial:
		return "partial"
	}
	return "stub"
}

// Syscall describes one entry of the system-call table.
type Syscall struct {
	Nr      uint64
	Fn      SysFunc
	Support Support
	Note    string
}

// Name is the Linux name of the call.
func (s Syscall) Name() string { return SyscallName(s.Nr) }

// SyscallName names a Linux x86-64 system call number.
func SyscallName(nr uint64) string {
	switch {
	case nr < uint64(len(sysNames)) && sysNames[nr] != "":
		return sysNames[nr]
	case nr == sysWarrenFaultWait:
		return "warren_fault_wait"
	case nr == sysWarrenDebugFault:
		return "warren_debug_fault"
	case nr == statsabi.SysStats:
		return "warren_stats"
	case nr == sockabi.SysLookup:
		return "warren_sock_lookup"
	case nr == sockabi.SysLookupGen:
		return "warren_sock_lookup_gen"
	case nr == sockabi.SysFileRead:
		return "warren_file_read"
	case nr == sockabi.SysPipeWrite:
		return "warren_pipe_write"
	case nr == sockabi.SysSpliceHold:
		return "warren_splice_hold"
	case nr == sockabi.SysSpliceRelease:
		return "warren_splice_release"
	case nr == sockabi.SysUnixName:
		return "warren_unix_name"
	case nr >= sockabi.SysRightsGet && nr <= sockabi.SysRightsPut:
		return [...]string{"warren_rights_get", "warren_rights_install", "warren_rights_put"}[nr-sockabi.SysRightsGet]
	case nr == hwabi.SysMMIODevices:
		return "warren_mmio_devices"
	case nr >= procabi.SysExecNext && nr <= procabi.SysExecReply:
		return [...]string{"warren_exec_next", "warren_exec_read", "warren_exec_reply"}[nr-procabi.SysExecNext]
	case nr >= hwabi.SysDMAAlloc && nr <= procabi.SysWait:
		return [...]string{"warren_dma_alloc", "warren_dma_free", "warren_mmio_map", "warren_irq_msi", "warren_irq_line",
			"warren_serve", "warren_reply", "warren_sock_install", "warren_sock_ready", "warren_copyin", "warren_copyout", "warren_set_file", "warren_set_addr",
			"warren_proc_create", "warren_proc_map", "warren_proc_write", "warren_proc_protect", "warren_proc_start", "warren_proc_wait"}[nr-hwabi.SysDMAAlloc]
	}
	return "unknown"
}

const sysMax = statsabi.MaxNr

var (
	sysTable  [sysMax]SysFunc
	sysLogged [sysMax / 64]uint64
)

// install puts a table's handlers into the dispatch table; a number
// installed twice, out of range or without a handler is an error.
//
// Context: kernel (no allocation, no pointer stores). kmain runs it
// before the runtime starts, when storing func values is allowed.
func install(table []Syscall) error { return installIn(&sysTable, table) }

// installIn checks the whole table, against dst and against itself,
// before it changes dst.
func installIn(dst *[sysMax]SysFunc, table []Syscall) error {
	for i, s := range table {
		if s.Nr >= sysMax || s.Fn == nil {
			return errBadSyscallEntry
		}
		if dst[s.Nr] != nil {
			return errDuplicateSyscall
		}
		for _, o := range table[:i] {
			if o.Nr == s.Nr {
				return errDuplicateSyscall
			}
		}
	}
	for _, s := range table {
		dst[s.Nr] = s.Fn
	}
	return nil
}

// Syscalls returns the kernel's table of system calls.
func Syscalls() []Syscall {
	return append([]Syscall(nil), runtimeSyscalls[:]...)
}

// doSyscall dispatches the call in f.RAX and stores the result, Linux
// style: a negative errno in RAX on failure.
//
// Context: kernel (no allocation, no pointer stores).
func doSyscall(f *cpu.TrapFrame) {
	nr := f.RAX
	countSyscall(nr)
	r, e, handled := forwardSocketCall(f)
	if !handled {
		var fn SysFunc
		if nr < sysMax && (nr < sysWarrenFirst || curProc() == 0) { // processes get Linux's calls only
			fn = sysTable[nr]
		}
		if fn == nil {
			logUnknownSyscall(nr)
			f.RAX = errnoResult(unix.ENOSYS)
			return
		}
		r, e = fn(f)
	}
	if e == errRestart {
		t := &threads[cur]
		t.restartNr, t.restart = nr, true
	}
	if e != 0 {
		r = errnoResult(e)
	}
	f.RAX = r
}

func errnoResult(e unix.Errno) uint64 { return uint64(-int64(e)) }

// logUnknownSyscall reports an unimplemented call once per number.
//
// Context: kernel (no allocation, no pointer stores).
func logUnknownSyscall(nr uint64) {
	if nr < sysMax {
		if sysLogged[nr/64]&(1<<(nr%64)) != 0 {
			return
		}
		sysLogged[nr/64] |= 1 << (nr % 64)
	}
	var l line
	l.s("warren: unimplemented syscall ").s(SyscallName(nr)).s(" (").u(nr).s("): ENOSYS").put()
}

// errRestart ends a call that a signal interrupted before it did anything
// (sockabi.ErrRestart, Linux's ERESTARTSYS); settleRestart decides, at
// the return to user mode, whether the call runs again or fails with
// EINTR.
const errRestart = unix.Errno(sockabi.ErrRestart)

// restartable turns the EINTR of a wait that a signal ended before
// anything moved into errRestart, as Linux's pipe, FIFO, eventfd and
// splice waits answer ERESTARTSYS: a handler with SA_RESTART (all of
// Go's) resumes the call rather than fail it.
//
// Context: kernel (no allocation, no pointer stores).
func restartable(e unix.Errno) unix.Errno {
	if e == unix.EINTR {
		return errRestart
	}
	return e
}

// settleRestart finishes a call that ended with errRestart, before the
// thread returns to user mode through f: with handler set (the action of
// the signal about to run) the call fails with EINTR unless the handler
// asked for SA_RESTART; with no handler to run it is made again. Making it
// again means returning to the SYSCALL instruction (2 bytes) with the
// number back in RAX; the argument registers are unchanged.
//
// Context: kernel (no allocation, no pointer stores).
func settleRestart(f *cpu.TrapFrame, handler bool, flags uint64) {
	t := &threads[cur]
	if !t.restart {
		return
	}
	t.restart = false
	if handler && flags&signal.SA_RESTART == 0 {
		f.RAX = errnoResult(unix.EINTR)
		return
	}
	f.RAX = t.restartNr
	f.RIP -= 2
}
