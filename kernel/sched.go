package kernel

import "warren.dev/kernel/cpu"

// The scheduler: one CPU, a FIFO run queue, preemption at the end of a
// time slice when another thread is runnable, and the idle thread halting
// when none is. Kernel context runs with interrupts off, so these
// structures need no locks.

const timeSlice = 10_000_000 // ns

var (
	runqHead, runqTail int32 = -1, -1
	sliceEnd           int64
	needResched        bool
)

// enqueue makes thread i runnable.
//
// Context: kernel (no allocation, no pointer stores).
func enqueue(i int32) {
	t := &threads[i]
	t.state = threadRunnable
	t.runNext = -1
	if runqTail < 0 {
		runqHead = i
	} else {
		threads[runqTail].runNext = i
	}
	runqTail = i
}

func dequeue() int32 {
	i := runqHead
	if i >= 0 {
		runqHead = threads[i].runNext
		if runqHead < 0 {
			runqTail = -1
		}
	}
	return i
}

// schedule runs the next runnable thread, or the idle thread. The caller
// has already set the current thread's state (runnable and enqueued,
// blocked or dead). It returns when the current thread runs again.
//
// Context: kernel (no allocation, no pointer stores).
func schedule() {
	next := dequeue()
	if next < 0 {
		next = idleThread
	}
	needResched = false
	if next == cur {
		threads[cur].state = threadRunning
		return
	}
	prev := cur
	kstats.ContextSwitches++
	switchTo(next)
	swtch(&threads[prev].savedSP, threads[next].savedSP)
	afterSwitch()
}

// switchTo makes thread i current: the entry code takes its stacks, FS
// base and XSAVE area from these variables.
func switchTo(i int32) {
	t := &threads[i]
	cur = i
	t.state = threadRunning
	if i != idleThread {
		kernelStackTop = t.kstackTop
		cpus[bootCPU].tss.SetRSP0(t.kstackTop) // threads run on the boot CPU only
		userFSBase = t.fsBase
		curXSave = t.xsave
		userCR3 = pageTableRoot(t.proc)
	}
	sliceEnd = nanotime() + timeSlice
}

// afterSwitch runs on the new thread's stack after every switch: threads
// that exited are reclaimed here, once nothing runs on their stacks.
//
// Context: kernel (no allocation, no pointer stores).
func afterSwitch() {
	for i := int32(1); i < threadHigh; i++ {
		if threads[i].state == threadDead && i != cur {
			threads[i].state = threadFree
		}
	}
}

// threadBegin is where a new thread starts, on its own stack, before it
// first enters user mode.
//
// Context: kernel (no allocation, no pointer stores).
func threadBegin() {
	afterSwitch()
	if threads[cur].killed {
		exitThread(0) // its process ended before it ran
	}
}

// yield gives the CPU to the next runnable thread, if any.
//
// Context: kernel (no allocation, no pointer stores).
func yield() {
	if runqHead < 0 {
		return
	}
	enqueue(cur)
	schedule()
}

// sleepOn blocks the current thread until wakeup(key), the deadline
// (monotonic ns, 0 for none) or, if interruptible, a signal.
//
// Context: kernel (no allocation, no pointer stores).
func sleepOn(key uint64, deadline int64, interruptible bool) wakeReason {
	t := &threads[cur]
	if t.killed || interruptible && t.signalPending() {
		return wokenSignal
	}
	if deadline != 0 && deadline <= nanotime() {
		return wokenTimeout
	}
	t.waitKey = key
	t.deadline = deadline
	t.interruptible = interruptible
	t.state = threadBlocked
	kstats.Sleeps++
	schedule()
	return t.woke
}

// wake ends thread i's wait.
func wake(i int32, why wakeReason) {
	t := &threads[i]
	kstats.Wakeups++
	t.waitKey, t.deadline = 0, 0
	t.woke = why
	enqueue(i)
}

// wakeup wakes at most n threads sleeping on key and returns how many.
//
// Context: kernel (no allocation, no pointer stores).
func wakeup(key uint64, n int) int {
	woken := 0
	for i := int32(1); i < threadHigh && woken < n; i++ {
		t := &threads[i]
		if t.state == threadBlocked && t.waitKey == key && key != 0 {
			wake(i, wokenUp)
			woken++
		}
	}
	return woken
}

// expireTimers wakes threads whose deadline has passed and returns how
// many it woke.
//
// Context: kernel (no allocation, no pointer stores).
func expireTimers(now int64) int {
	n := 0
	for i := int32(1); i < threadHigh; i++ {
		t := &threads[i]
		if t.state == threadBlocked && t.deadline != 0 && t.deadline <= now {
			kstats.TimerWakeups++
			wake(i, wokenTimeout)
			n++
		}
	}
	return n
}

// nextEvent returns when the timer must next fire: the earliest sleeper's
// deadline, or the end of the time slice when another thread waits to
// run; 0 if nothing is due (tickless).
//
// Context: kernel (no allocation, no pointer stores).
func nextEvent() int64 {
	var next int64
	for i := int32(1); i < threadHigh; i++ {
		t := &threads[i]
		if t.state == threadBlocked && t.deadline != 0 && (next == 0 || t.deadline < next) {
			next = t.deadline
		}
	}
	if runqHead >= 0 && cur != idleThread && (next == 0 || sliceEnd < next) {
		next = sliceEnd
	}
	if faultDeadline != 0 && (next == 0 || faultDeadline < next) {
		next = faultDeadline
	}
	return next
}

// idle is the idle thread's loop: run whatever is runnable, else halt
// until an interrupt makes something runnable.
//
// Context: kernel (no allocation, no pointer stores).
func idle() {
	for {
		if runqHead >= 0 {
			threads[idleThread].state = threadRunnable
			schedule()
			continue
		}
		armTimer()
		kstats.IdleHalts++
		cpu.Halt()
	}
}
