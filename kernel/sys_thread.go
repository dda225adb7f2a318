package kernel

import (
	"golang.org/x/sys/unix"

	"warren.dev/kernel/cpu"
)

// Threads: clone for CLONE_THREAD children, exit, futex, sleeping.

// cloneThreadFlags must all be present for a thread of the caller's
// process; without CLONE_THREAD, clone makes a vfork child (vfork.go).
const cloneThreadFlags = unix.CLONE_VM | unix.CLONE_FS | unix.CLONE_FILES | unix.CLONE_SIGHAND | unix.CLONE_THREAD

// sysClone creates a thread that returns 0 from clone on its own stack,
// with every other register as the parent had it, or a vfork child.
//
// Context: kernel (no allocation, no pointer stores).
func sysClone(f *cpu.TrapFrame) (uint64, unix.Errno) {
	flags, stack, ptid, ctid, tls := f.RDI, f.RSI, f.RDX, f.R10, f.R8
	if flags&unix.CLONE_THREAD == 0 {
		return cloneProcess(f, flags, stack, ptid, ctid, tls)
	}
	if flags&cloneThreadFlags != cloneThreadFlags {
		return 0, unix.EINVAL
	}
	known := uint64(cloneThreadFlags | unix.CLONE_SYSVSEM | unix.CLONE_SETTLS | unix.CLONE_PARENT_SETTID |
		unix.CLONE_CHILD_SETTID | unix.CLONE_CHILD_CLEARTID | unix.CLONE_DETACHED | 0xff /* exit signal */)
	if flags&^known != 0 {
		return 0, unix.EINVAL
	}
	if e := checkCloneArgs(flags, stack, tls); e != 0 {
		return 0, e
	}
	i, e := allocThread(curProc())
	if e != 0 {
		return 0, e
	}
	startClone(i, f, flags, stack, ptid, ctid, tls)
	return uint64(threads[i].tid), 0
}

// checkCloneArgs checks clone's stack and TLS arguments.
func checkCloneArgs(flags, stack, tls uint64) unix.Errno {
	if flags&unix.CLONE_SETTLS != 0 && tls >= callerTop() {
		return unix.EPERM // as arch_prctl: the FS base must be a user address
	}
	if stack > callerTop() {
		// Linux would let the child fault; here its first return to
		// user mode does not pass checkUserReturn, and IRETQ must not
		// see a stack outside user memory.
		return unix.EINVAL
	}
	return 0
}

// startClone makes thread i, just allocated, a copy of the caller that
// returns 0 from clone (on stack, if not 0), and runnable.
//
// Context: kernel (no allocation, no pointer stores).
func startClone(i int32, f *cpu.TrapFrame, flags, stack, ptid, ctid, tls uint64) {
	parent, child := &threads[cur], &threads[i]
	cf := child.frame()
	*cf = *f
	cf.RAX = 0
	if stack != 0 {
		cf.RSP = stack
	}
	child.fsBase = parent.fsBase
	if flags&unix.CLONE_SETTLS != 0 {
		child.fsBase = tls
	}
	copy(physBytes(child.xsave, int(xsaveSize)), physBytes(parent.xsave, int(xsaveSize)))
	child.sigBlocked, child.keepCaps = parent.sigBlocked, parent.keepCaps
	if flags&unix.CLONE_PARENT_SETTID != 0 {
		store32(ptid, uint32(child.tid))
	}
	if flags&unix.CLONE_CHILD_SETTID != 0 {
		store32(ctid, uint32(child.tid))
	}
	if flags&unix.CLONE_CHILD_CLEARTID != 0 {
		child.clearChildTID = ctid
	}
	prepareFirstSwitch(i)
	enqueue(i)
}

// sysExit ends the calling thread.
//
// Context: kernel (no allocation, no pointer stores).
func sysExit(f *cpu.TrapFrame) (uint64, unix.Errno) {
	exitThread(uint8(f.RDI))
	return 0, 0
}

// exitThread ends the calling thread; the last thread of a process ends
// the process with status (unless it is already ending with another),
// and the program's last thread ends the machine. It does not return.
//
// Context: kernel (no allocation, no pointer stores).
func exitThread(status uint8) {
	t := &threads[cur]
	p := t.proc
	pr := &procs[p]
	if t.clearChildTID != 0 && !pr.exiting {
		if store32(t.clearChildTID, 0) == 0 {
			wakeup(futexKey(t.clearChildTID), 1<<30)
		}
	}
	t.state = threadDead
	pr.nthreads--
	execThreadGone(p)
	if pr.nthreads == 0 {
		if p == 0 {
			powerOff(status)
		}
		if !pr.exiting {
			pr.status = uint32(status) << 8
		}
		releaseProcess(p)
	}
	schedule() // never returns: nothing switches back to a dead thread
}

// sysExitGroup ends the caller's process with its status; the program's
// end is the machine's.
//
// Context: kernel (no allocation, no pointer stores).
func sysExitGroup(f *cpu.TrapFrame) (uint64, unix.Errno) {
	endProcess(uint32(uint8(f.RDI)) << 8)
	return 0, 0
}

// Futexes: a waiter sleeps on a key derived from the word's address.
// Uniprocessor kernel context makes "compare and sleep" atomic.

// futexKey keys a word by address space and address: user addresses are
// below 2^47, the address space's slot goes above them, and kernel keys
// have bit 63.
func futexKey(addr uint64) uint64 { return addr | uint64(procs[curProc()].mm)<<47 }

// sysFutex implements FUTEX_WAIT and FUTEX_WAKE (private or not: no
// memory is shared between processes) and their BITSET forms with a full
// bitset.
//
// Context: kernel (no allocation, no pointer stores).
func sysFutex(f *cpu.TrapFrame) (uint64, unix.Errno) {
	addr, op, val, timeout, val3 := f.RDI, f.RSI, uint32(f.RDX), f.R10, uint32(f.R9)
	if addr&3 != 0 {
		return 0, unix.EINVAL
	}
	cmd := op &^ (futexPrivateFlag | futexClockRealtime)
	switch cmd {
	case futexWait, futexWaitBitset:
		if cmd == futexWaitBitset && val3 != 0xffffffff {
			return 0, unix.EINVAL
		}
		v, e := load32(addr)
		if e != 0 {
			return 0, e
		}
		if v != val {
			return 0, unix.EAGAIN
		}
		var deadline int64
		if timeout != 0 {
			ns, e := readTimespec(timeout)
			if e != 0 {
				return 0, e
			}
			switch {
			case cmd == futexWait:
				deadline = nanotime() + ns // relative
			case op&futexClockRealtime != 0:
				deadline = ns - clock.realBase // absolute, realtime
			default:
				deadline = ns // absolute, monotonic
			}
			if deadline <= 0 {
				deadline = 1
			}
		}
		switch sleepOn(futexKey(addr), deadline, true) {
		case wokenTimeout:
			return 0, unix.ETIMEDOUT
		case wokenSignal:
			return 0, unix.EINTR
		}
		return 0, 0
	case futexWake, futexWakeBitset:
		if cmd == futexWakeBitset && val3 != 0xffffffff {
			return 0, unix.EINVAL
		}
		if e := probeUser(addr, 4, false); e != 0 {
			return 0, e
		}
		return uint64(wakeup(futexKey(addr), int(val))), 0
	}
	return 0, unix.ENOSYS
}

// sysNanosleep sleeps for a relative time; a signal ends it early with
// EINTR and the remaining time.
//
// Context: kernel (no allocation, no pointer stores).
func sysNanosleep(f *cpu.TrapFrame) (uint64, unix.Errno) {
	ns, e := readTimespec(f.RDI)
	if e != 0 {
		return 0, e
	}
	return sleepFor(ns, f.RSI)
}

// sysClockNanosleep is clock_nanosleep for the monotonic and realtime
// clocks, relative or absolute.
//
// Context: kernel (no allocation, no pointer stores).
func sysClockNanosleep(f *cpu.TrapFrame) (uint64, unix.Errno) {
	clk, flags := f.RDI, f.RSI
	ns, e := readTimespec(f.RDX)
	if e != 0 {
		return 0, e
	}
	if flags&unix.TIMER_ABSTIME != 0 {
		switch clk {
		case unix.CLOCK_REALTIME:
			ns -= realtime()
		case unix.CLOCK_MONOTONIC, unix.CLOCK_BOOTTIME:
			ns -= nanotime()
		default:
			return 0, unix.EINVAL
		}
		if ns <= 0 {
			return 0, 0
		}
		r, e := sleepFor(ns, 0)
		return r, e
	}
	return sleepFor(ns, f.R10)
}

// sysPause sleeps until a signal arrives.
//
// Context: kernel (no allocation, no pointer stores).
func sysPause(*cpu.TrapFrame) (uint64, unix.Errno) {
	for sleepOn(sleepKey, 0, true) != wokenSignal {
	}
	return 0, unix.EINTR
}

func sleepFor(ns int64, rem uint64) (uint64, unix.Errno) {
	if ns == 0 {
		yield()
		return 0, 0
	}
	deadline := nanotime() + ns
	if sleepOn(sleepKey, deadline, true) == wokenSignal {
		if rem != 0 {
			left := deadline - nanotime()
			if left < 0 {
				left = 0
			}
			writeTimespec(rem, left)
		}
		return 0, unix.EINTR
	}
	return 0, 0
}

// Kernel wait keys have bit 63 set, out of the user address range.
const (
	sleepKey = 1<<63 | iota // never woken: sleeps end by deadline or signal
	pollKey                 // readiness changed on some file
)

func sysSchedYield(*cpu.TrapFrame) (uint64, unix.Errno) {
	yield()
	return 0, 0
}

// sysSchedGetaffinity reports the online CPUs, from which the runtime
// sizes GOMAXPROCS.
func sysSchedGetaffinity(f *cpu.TrapFrame) (uint64, unix.Errno) {
	size, mask := f.RSI, f.RDX
	if size < 8 {
		return 0, unix.EINVAL
	}
	if e := store64(mask, onlineMask()); e != 0 {
		return 0, e
	}
	return 8, 0
}

func sysGettid(*cpu.TrapFrame) (uint64, unix.Errno) { return uint64(threads[cur].tid), 0 }

func sysGetpid(*cpu.TrapFrame) (uint64, unix.Errno) { return uint64(procs[curProc()].pid), 0 }

// sysGetppid names the parent: the program for the loader's processes
// (and none for the program itself, or an orphan).
func sysGetppid(*cpu.TrapFrame) (uint64, unix.Errno) {
	if parent := procs[curProc()].parent; parent >= 0 {
		return uint64(procs[parent].pid), 0
	}
	return 0, 0
}

func sysSetTidAddress(f *cpu.TrapFrame) (uint64, unix.Errno) {
	threads[cur].clearChildTID = f.RDI
	return uint64(threads[cur].tid), 0
}

// sysSetRobustList accepts the list head libc registers for each thread.
// Warren does not walk it when a thread dies: only a process whose
// threads die holding process-shared robust mutexes would notice.
func sysSetRobustList(f *cpu.TrapFrame) (uint64, unix.Errno) {
	const robustListHeadSize = 24
	if f.RSI != robustListHeadSize {
		return 0, unix.EINVAL
	}
	return 0, 0
}

// sysNotSupported answers calls that libraries probe for and do without.
func sysNotSupported(*cpu.TrapFrame) (uint64, unix.Errno) { return 0, unix.ENOSYS }
