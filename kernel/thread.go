package kernel

import (
	"golang.org/x/sys/unix"

	"warren.dev/kernel/cpu"
	"warren.dev/kernel/signal"
	"warren.dev/mm/pagetable"
)

// Threads are the kernel's schedulable contexts: one per Go runtime M
// (created by clone), plus each CPU's idle thread in the slot of the
// CPU's index (the boot CPU's runs kmain's loop on the boot stack). All state is integers: it is written in kernel context after
// the runtime has started (docs/kernel-context.md).

const (
	// firstThread is the first slot of an ordinary thread: the slots
	// before it are the CPUs' idle threads.
	firstThread = maxCPUs
	maxThreads  = firstThread + 511

	// Each thread slot owns a fixed range of kernel virtual addresses: an
	// unmapped guard below a mapped stack, so an overflow faults (on the
	// double-fault stack) instead of corrupting the neighbour.
	kstackRegion = 0xffff_c000_0000_0000
	kstackSlot   = 64 << 10
	kstackSize   = 32 << 10
)

type threadState uint8

const (
	threadFree threadState = iota
	threadRunnable
	threadRunning
	threadBlocked
	threadDead
)

// wakeReason says why a blocked thread runs again.
type wakeReason uint8

const (
	wokenUp wakeReason = iota
	wokenTimeout
	wokenSignal
)

type thread struct {
	state threadState
	tid   int32
	proc  int32 // process slot (process.go)
	cpu   int32 // the CPU it runs or last ran on
	// killed: the process is ending; the thread ends instead of
	// returning to user mode, and no longer sleeps.
	killed bool

	kstackTop uint64 // 0 until the slot's stack is mapped
	savedSP   uint64 // kernel stack pointer while switched out
	fsBase    uint64
	xsave     uint64 // physical = virtual address of the XSAVE area

	// Blocking: the key woken by wakeup, a deadline on the monotonic clock
	// (0: none), whether a signal ends the wait, and why it ended.
	waitKey       uint64
	deadline      int64
	interruptible bool
	woke          wakeReason
	sliceEnd      int64 // a handed-off thread's slice end (handOff), else 0

	clearChildTID uint64 // CLONE_CHILD_CLEARTID address

	// restartNr is the system call that ended with errRestart, to run
	// again or fail with EINTR when the thread returns to user mode;
	// restart says whether there is one.
	restartNr uint64
	restart   bool

	sigBlocked signal.Set
	sigPending signal.Set
	fault      signal.Info // siginfo of a pending synchronous signal
	faultSig   int32
	altStack   signal.AltStack

	keepCaps bool // prctl's PR_SET_KEEPCAPS: inherited by clone, cleared by execve
}

var (
	threads [maxThreads]thread
	// cur is the current thread of the CPU holding the kernel lock
	// (klock.go); each CPU's own is cpus[c].cur.
	cur     int32
	nextTID int32 = 1
	// threadHigh bounds the slots ever used, so scans stay short.
	threadHigh int32 = firstThread
)

// isIdle reports whether thread slot i is a CPU's idle thread.
func isIdle(i int32) bool { return i < firstThread }

// signalPending reports whether a signal t does not block is waiting.
func (t *thread) signalPending() bool { return t.sigPending&^t.sigBlocked != 0 }

// frame returns the trap frame at the top of t's kernel stack: the user
// context it returns to.
func (t *thread) frame() *cpu.TrapFrame {
	return trapFrameAt(t.kstackTop - trapFrameSize)
}

// allocThread claims a free slot, mapping its stack and XSAVE area on
// first use; slots keep them for reuse.
//
// Context: kernel (no allocation, no pointer stores).
func allocThread(p int32) (int32, unix.Errno) {
	used := int32(0)
	for i := range procs {
		used += procs[i].nthreads
	}
	if !threadAllowed(p, maxThreads-firstThread-used) {
		return 0, unix.EAGAIN
	}
	for i := int32(firstThread); i < maxThreads; i++ {
		t := &threads[i]
		if t.state != threadFree {
			continue
		}
		if t.kstackTop == 0 {
			if e := mapThreadMemory(i); e != 0 {
				return 0, e
			}
		}
		if i >= threadHigh {
			threadHigh = i + 1
		}
		t.tid = nextTID
		nextTID++
		t.waitKey, t.deadline, t.woke = 0, 0, wokenUp
		t.clearChildTID = 0
		t.sigPending, t.faultSig = 0, 0
		t.restart = false // a thread that ended in an interrupted call left it set
		t.altStack = signal.AltStack{Flags: signal.SS_DISABLE}
		t.keepCaps = false
		t.state = threadBlocked // not runnable until the caller enqueues it
		t.proc, t.killed = p, false
		procs[p].nthreads++
		return i, 0
	}
	return 0, unix.EAGAIN
}

// mapKernelStack backs the stack of kernel-stack slot i and returns its
// top; the lower half of the slot stays unmapped as a guard.
//
// Context: kernel (no allocation, no pointer stores).
func mapKernelStack(i int32) (uint64, bool) {
	top := kstackRegion + uint64(i+1)*kstackSlot
	for va := top - kstackSize; va < top; va += pageSize {
		pa, ok := physFrames.Alloc()
		if !ok {
			return 0, false
		}
		if err := kernelTables.Map(va, pa, pageSize, pagetable.Present|pagetable.Writable|pagetable.NoExecute); err != nil {
			physFrames.Free(pa)
			return 0, false
		}
	}
	return top, true
}

// mapThreadMemory backs slot i's kernel stack and XSAVE area.
//
// Context: kernel (no allocation, no pointer stores).
func mapThreadMemory(i int32) unix.Errno {
	top, ok := mapKernelStack(i)
	if !ok {
		return unix.EAGAIN
	}
	xs, ok := physFrames.Alloc()
	if !ok {
		return unix.EAGAIN
	}
	threads[i].xsave = xs
	threads[i].kstackTop = top
	return 0
}

// threadByTID finds a live thread.
func threadByTID(tid int32) (int32, bool) {
	for i := int32(firstThread); i < threadHigh; i++ {
		s := threads[i].state
		if threads[i].tid == tid && s != threadFree && s != threadDead {
			return i, true
		}
	}
	return 0, false
}
