package kernel

import (
	"golang.org/x/sys/unix"

	"warren.dev/kernel/cpu"
	"warren.dev/kernel/signal"
)

// Signals, Linux style: dispositions are per process, masks, pending sets
// and alternate stacks per thread. Delivery builds an rt_sigframe on the
// user stack (kernel/signal) when the thread next returns to user mode.

const maxSignal = 64

var sigActions [maxProcs][maxSignal + 1]signal.Action

// Dispositions that are not handler addresses.
const (
	sigDFL = 0
	sigIGN = 1
)

const sigsetSize = 8

// sysRtSigaction gets and sets a signal's disposition.
//
// Context: kernel (no allocation, no pointer stores).
func sysRtSigaction(f *cpu.TrapFrame) (uint64, unix.Errno) {
	sig, act, old, size := int(f.RDI), f.RSI, f.RDX, f.R10
	if size != sigsetSize || sig < 1 || sig > maxSignal {
		return 0, unix.EINVAL
	}
	var buf [signal.ActionSize]byte
	var next signal.Action
	if act != 0 {
		if sig == int(unix.SIGKILL) || sig == int(unix.SIGSTOP) {
			return 0, unix.EINVAL
		}
		if e := copyIn(buf[:], act); e != 0 {
			return 0, e
		}
		a, err := signal.DecodeAction(buf[:])
		if err != nil {
			return 0, unix.EINVAL
		}
		next = a
	}
	if old != 0 {
		signal.EncodeAction(buf[:], &sigActions[curProc()][sig])
		if e := copyOut(old, buf[:]); e != 0 {
			return 0, e
		}
	}
	if act != 0 {
		sigActions[curProc()][sig] = next
	}
	return 0, 0
}

// unblockable signals cannot be masked.
var unblockable = signal.Bit(int(unix.SIGKILL)) | signal.Bit(int(unix.SIGSTOP))

// sysRtSigprocmask changes the calling thread's signal mask.
//
// Context: kernel (no allocation, no pointer stores).
func sysRtSigprocmask(f *cpu.TrapFrame) (uint64, unix.Errno) {
	how, set, old, size := f.RDI, f.RSI, f.RDX, f.R10
	if size != sigsetSize {
		return 0, unix.EINVAL
	}
	t := &threads[cur]
	var next signal.Set
	if set != 0 {
		v, e := load64(set)
		if e != 0 {
			return 0, e
		}
		switch how {
		case unix.SIG_BLOCK:
			next = t.sigBlocked | signal.Set(v)
		case unix.SIG_UNBLOCK:
			next = t.sigBlocked &^ signal.Set(v)
		case unix.SIG_SETMASK:
			next = signal.Set(v)
		default:
			return 0, unix.EINVAL
		}
	}
	if old != 0 {
		if e := store64(old, uint64(t.sigBlocked)); e != 0 {
			return 0, e
		}
	}
	if set != 0 {
		t.sigBlocked = next &^ unblockable
	}
	return 0, 0
}

// sysSigaltstack sets or reads the calling thread's alternate signal stack.
//
// Context: kernel (no allocation, no pointer stores).
func sysSigaltstack(f *cpu.TrapFrame) (uint64, unix.Errno) {
	ss, old := f.RDI, f.RSI
	t := &threads[cur]
	var buf [signal.AltStackSize]byte
	var next signal.AltStack
	if ss != 0 {
		if e := copyIn(buf[:], ss); e != 0 {
			return 0, e
		}
		a, err := signal.DecodeAltStack(buf[:])
		if err != nil {
			return 0, unix.EINVAL
		}
		next = a
	}
	if old != 0 {
		q := t.altStack.Query(f.RSP)
		signal.EncodeAltStack(buf[:], &q)
		if e := copyOut(old, buf[:]); e != 0 {
			return 0, e
		}
	}
	if ss != 0 {
		if err := t.altStack.Set(next, f.RSP); err != nil {
			return 0, errnoOf(err)
		}
	}
	return 0, 0
}

// errnoOf unwraps the errno a package returned as an error.
func errnoOf(err error) unix.Errno {
	if e, ok := err.(unix.Errno); ok {
		return e
	}
	return unix.EINVAL
}

// sysRtSigreturn restores the context saved by signal delivery. RAX is
// part of that context, so the result is the restored RAX.
//
// Context: kernel (no allocation, no pointer stores).
func sysRtSigreturn(f *cpu.TrapFrame) (uint64, unix.Errno) {
	t := &threads[cur]
	blocked, err := signal.Return(f, caller(), physBytes(t.xsave, int(xsaveSize)))
	if err != nil {
		killProcess(int(unix.SIGSEGV))
	}
	t.sigBlocked = blocked &^ unblockable
	return f.RAX, 0
}

// sysTgkill queues a signal for a thread (the runtime's preemption
// request, SIGURG, arrives this way).
//
// Context: kernel (no allocation, no pointer stores).
func sysTgkill(f *cpu.TrapFrame) (uint64, unix.Errno) {
	i, ok := threadByTID(int32(f.RSI))
	if !ok || procs[threads[i].proc].pid != int32(f.RDI) {
		return 0, unix.ESRCH
	}
	return killThread(i, int(f.RDX))
}

func sysTkill(f *cpu.TrapFrame) (uint64, unix.Errno) {
	i, ok := threadByTID(int32(f.RDI))
	if !ok {
		return 0, unix.ESRCH
	}
	return killThread(i, int(f.RSI))
}

// killThread is tgkill and tkill's signal to thread i, which the caller
// must be allowed to signal.
//
// Context: kernel (no allocation, no pointer stores).
func killThread(i int32, sig int) (uint64, unix.Errno) {
	if sig >= 0 && sig <= maxSignal && !maySignal(threads[i].proc, sig) {
		return 0, unix.EPERM
	}
	return signalThread(threads[i].tid, sig)
}

// sysKill signals a process: the first of its threads that does not
// block the signal. Process groups are not kept: 0 and -1 mean the
// caller's own process.
func sysKill(f *cpu.TrapFrame) (uint64, unix.Errno) {
	pid, sig := int32(f.RDI), int(f.RSI)
	p := curProc()
	if pid != 0 && pid != -1 {
		var ok bool
		if p, ok = liveProcess(pid); !ok {
			return 0, unix.ESRCH
		}
	}
	return sendKill(p, sig)
}

// liveProcess finds the slot of process pid if it has not ended.
func liveProcess(pid int32) (int32, bool) {
	p, ok := procByPID(pid)
	return p, ok && procs[p].state == procLive
}

// sendKill is kill(2) and pidfd_send_signal's signal sig (0 checks
// only) to process p: the caller must be allowed to send it.
//
// Context: kernel (no allocation, no pointer stores).
func sendKill(p int32, sig int) (uint64, unix.Errno) {
	if sig < 0 || sig > maxSignal {
		return 0, unix.EINVAL
	}
	if !maySignal(p, sig) {
		return 0, unix.EPERM
	}
	if sig == 0 {
		return 0, 0
	}
	return signalProcess(p, sig)
}

// signalProcess sends sig (1..maxSignal) to process p: the first of its
// threads that does not block it, else the first thread.
//
// Context: kernel (no allocation, no pointer stores).
func signalProcess(p int32, sig int) (uint64, unix.Errno) {
	first := int32(-1)
	for i := int32(firstThread); i < threadHigh; i++ {
		t := &threads[i]
		if t.proc != p || t.state != threadRunning && t.state != threadRunnable && t.state != threadBlocked {
			continue
		}
		if t.sigBlocked&signal.Bit(sig) == 0 {
			return signalThread(t.tid, sig)
		}
		if first < 0 {
			first = i
		}
	}
	if first < 0 {
		return 0, unix.ESRCH
	}
	return signalThread(threads[first].tid, sig) // blocked everywhere: pending until unblocked
}

// signalThread marks sig pending on thread tid and interrupts its wait.
//
// Context: kernel (no allocation, no pointer stores).
func signalThread(tid int32, sig int) (uint64, unix.Errno) {
	if sig < 0 || sig > maxSignal {
		return 0, unix.EINVAL
	}
	i, ok := threadByTID(tid)
	if !ok {
		return 0, unix.ESRCH
	}
	if sig == 0 {
		return 0, 0
	}
	jobControl(threads[i].proc, sig)
	t := &threads[i]
	t.sigPending |= signal.Bit(sig)
	if t.state == threadBlocked && t.interruptible && t.sigBlocked&signal.Bit(sig) == 0 {
		wake(i, wokenSignal)
	}
	kick(i)
	return 0, 0
}

// deliverSignals runs before a thread returns to user mode: it builds the
// frame for the first deliverable pending signal, or applies the default
// action.
//
// Context: kernel (no allocation, no pointer stores).
func deliverSignals(f *cpu.TrapFrame) {
	t := &threads[cur]
	for {
		parkWhileStopped()
		if t.sigPending&signal.Bit(int(unix.SIGKILL)) != 0 {
			killProcess(int(unix.SIGKILL)) // first, whatever else is pending
		}
		ready := t.sigPending &^ t.sigBlocked
		sig := int(t.faultSig)
		if sig != 0 && t.sigBlocked&signal.Bit(sig) != 0 {
			killProcess(sig) // a synchronous fault that is blocked cannot be handled
		}
		if sig == 0 {
			if ready == 0 {
				settleRestart(f, false, 0)
				return
			}
			sig = ready.Lowest()
		}
		t.sigPending &^= signal.Bit(sig)
		info := signal.Info{Signo: int32(sig), Code: signal.SI_TKILL, Pid: procs[t.proc].pid}
		fromFault := sig == int(t.faultSig)
		if fromFault {
			info = t.fault
			t.faultSig = 0
		}
		act := sigActions[t.proc][sig]
		switch act.Handler {
		case sigDFL:
			if defaultIgnored(sig) {
				continue
			}
			if stopSignals&signal.Bit(sig) != 0 {
				stopProcess(t.proc, sig) // parks at the top of the loop
				continue
			}
			killProcess(sig)
		case sigIGN:
			if fromFault { // an ignored fault would only fault again
				killProcess(sig)
			}
			continue
		}
		settleRestart(f, true, act.Flags)
		blocked, err := signal.Deliver(f, sig, &info, &act, &t.altStack, t.sigBlocked, physBytes(t.xsave, int(xsaveSize)), caller())
		if err != nil {
			killProcess(int(unix.SIGSEGV)) // no room for the frame: Linux kills too
		}
		kstats.Signals++
		t.sigBlocked = blocked &^ unblockable
		if act.Flags&signal.SA_RESETHAND != 0 {
			sigActions[t.proc][sig] = signal.Action{}
		}
		return
	}
}

// defaultIgnored lists the signals whose default action is to do nothing.
func defaultIgnored(sig int) bool {
	switch unix.Signal(sig) {
	case unix.SIGCHLD, unix.SIGURG, unix.SIGWINCH, unix.SIGCONT:
		return true
	}
	return false
}

// killProcess ends the caller's process as a fatal signal does. For the
// program that is the machine, which exits with 128+sig, as a shell would
// report it.
//
// Context: kernel (no allocation, no pointer stores).
func killProcess(sig int) {
	var addr uint64
	if t := &threads[cur]; int(t.fault.Signo) == sig {
		addr = t.fault.Addr
	}
	if p := curProc(); p != 0 {
		if !procs[p].exiting {
			procs[p].faultAddr = addr
		}
		endProcess(uint32(sig))
	}
	var l line
	l.s("warren: program killed by signal ").u(uint64(sig))
	if addr != 0 {
		l.s(" at ").hex(addr)
	}
	l.put()
	endProcess(uint32(sig))
}
