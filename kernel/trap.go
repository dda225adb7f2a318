package kernel

import (
	"golang.org/x/sys/unix"

	"warren.dev/kernel/cpu"
	"warren.dev/kernel/signal"
)

// trap handles every interrupt, exception and system call; trapEntry calls
// it on the current thread's kernel stack with interrupts off. It holds
// the kernel lock (klock.go) throughout, and may return on another CPU
// than it was entered on if the thread slept or yielded meanwhile.
//
// Context: kernel (no allocation, no pointer stores).
func trap(f *cpu.TrapFrame) {
	me := thisCPU()
	switch f.Vector {
	case vecShootdown:
		// Answered without the lock: the CPU that sent it holds the lock
		// and waits for this.
		serveShootdown(me)
		ackInterrupt()
		return
	case vecLockFree:
		// Only to end a halt in parkForLock, which tries for the lock.
		ackInterrupt()
		return
	}
	locked := lockKernel(me)
	kstats.Traps++
	switch v := f.Vector; {
	case v == cpu.VectorSyscall:
		doSyscall(f)
	case v == vecTimer:
		kstats.TimerInterrupts++
		ackInterrupt()
		c := &cpus[kcpu]
		c.armedAt = 0
		now := nanotime()
		if faultDeadline != 0 && now >= faultDeadline {
			logs("the fault reporter did not run; stopping")
			powerOff(exitKernelFailure)
		}
		// A sleeper whose time has come runs at once: timers are what
		// sleeps, timeouts and the runtime's sysmon (and so preemption)
		// rely on. Otherwise the running thread keeps its slice.
		if expireTimers(now) > 0 || runq.head >= 0 && now >= c.sliceEnd {
			c.needResched = true
		}
	case v == vecResched:
		// Only to enter the kernel: the idle loop looks at the queue, and
		// the way back to user mode below at signals and kills.
		ackInterrupt()
	case v == vecSpurious:
		kstats.SpuriousInterrupts++
		// No EOI for spurious interrupts (SDM Vol. 3A §11.9).
	case v >= vecIRQBase:
		kstats.DeviceInterrupts++
		deviceInterrupt(v) // masks a level-triggered line before the EOI lets it fire again
		ackInterrupt()
	case v == vecPageFault && inTail(cpu.ReadCR2()) && (inProgramMemory(curProc()) || !f.FromUser()):
		tailFault(cpu.ReadCR2())
	case v < 32:
		if !f.FromUser() {
			kernelFault(f, "exception in kernel mode")
		}
		userException(f)
	default:
		ackInterrupt()
	}
	if f.FromUser() {
		if cpus[kcpu].needResched {
			if runq.head >= 0 {
				kstats.Preemptions++
			}
			yield()
		}
		if threads[cur].killed {
			exitThread(0) // its process is ending
		}
		deliverSignals(f)
		checkUserReturn(f)
	}
	armTimer()
	if locked {
		unlockKernel()
	}
}

// checkUserReturn ends the thread's process with SIGSEGV, as Linux's
// bad-frame path does, if f would return to an instruction or stack
// outside its user memory, the vDSO's code aside: a non-canonical RIP
// makes IRETQ fault in kernel mode on real hardware (TCG does not model
// it), and sigreturn, a handler address or a clone stack can all put one
// there.
//
// Context: kernel (no allocation, no pointer stores).
func checkUserReturn(f *cpu.TrapFrame) {
	if top := callerTop(); f.RIP >= top && !inVDSOCode(f.RIP) || f.RSP > top {
		threads[cur].fault = signal.Info{Signo: int32(unix.SIGSEGV), Code: signal.SI_KERNEL}
		killProcess(int(unix.SIGSEGV))
	}
}

// userException turns a CPU exception raised by user code into demand
// paging or a signal, as Linux does.
//
// Context: kernel (no allocation, no pointer stores).
func userException(f *cpu.TrapFrame) {
	if f.Vector == vecPageFault {
		kstats.PageFaults++
	} else {
		kstats.Exceptions++
	}
	switch f.Vector {
	case vecPageFault:
		userPageFault(f)
	case vecDivide:
		sendFault(int(unix.SIGFPE), signal.FPE_INTDIV, f.RIP)
	case vecFPU, vecSIMD:
		sendFault(int(unix.SIGFPE), 0, f.RIP)
	case vecInvalidOp:
		sendFault(int(unix.SIGILL), signal.ILL_ILLOPC, f.RIP)
	case vecBreakpoint, vecDebug:
		sendFault(int(unix.SIGTRAP), signal.TRAP_BRKPT, f.RIP)
	case vecAlignment:
		sendFault(int(unix.SIGBUS), signal.BUS_ADRALN, 0)
	default: // #GP, #SS, #NP, #OF, #BR, ...: Linux reports SI_KERNEL with no address
		sendFault(int(unix.SIGSEGV), signal.SI_KERNEL, 0)
	}
}

// sendFault queues a synchronous signal for the current thread; it is
// delivered before the thread returns to user mode.
//
// Context: kernel (no allocation, no pointer stores).
func sendFault(sig, code int, addr uint64) {
	t := &threads[cur]
	t.fault = signal.Info{Signo: int32(sig), Code: int32(code), Addr: addr}
	t.faultSig = int32(sig)
	t.sigPending |= signal.Bit(sig)
}

// deviceInterrupt dispatches a device vector to its registered handler.
//
// Context: kernel (no allocation, no pointer stores).
func deviceInterrupt(v uint64) {
	if v-vecIRQBase < maxIRQs {
		irqFire(v)
	}
}
