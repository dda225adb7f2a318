package kernel

import "warren.dev/kernel/cpu"

// The scheduler: one FIFO run queue shared by every CPU (a hand-off
// jumps it, handOff), preemption at the end of a time slice when another
// thread is runnable, and each CPU's idle thread halting when none is.
// Kernel context holds the big kernel lock (klock.go), which guards
// these structures.

const timeSlice = 10_000_000 // ns

// runq is the run queue, linked through runNext.
var (
	runq    = emptyList
	runNext [maxThreads]int32
)

// enqueue makes thread i runnable and wakes a halted CPU to run it.
//
// Context: kernel (no allocation, no pointer stores).
func enqueue(i int32) {
	t := &threads[i]
	t.state = threadRunnable
	t.sliceEnd = 0
	runq.push(runNext[:], i)
	wakeIdleCPU()
}

// dequeue takes the next runnable thread off the queue; -1 if none.
//
// Context: kernel (no allocation, no pointer stores).
func dequeue() int32 { return runq.pop(runNext[:]) }

// schedule runs the next runnable thread, or the CPU's idle thread. The
// caller has already set the current thread's state (runnable and
// enqueued, blocked or dead). It returns when the current thread runs
// again, on whichever CPU took it, with the lock held.
//
// Context: kernel (no allocation, no pointer stores).
func schedule() {
	next := dequeue()
	if next < 0 {
		next = int32(kcpu) // its idle thread
	}
	cpus[kcpu].needResched = false
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

// switchTo makes thread i current on this CPU: the entry code takes its
// stacks, FS base, XSAVE area and page tables from the CPU's record.
func switchTo(i int32) {
	t := &threads[i]
	c := &cpus[kcpu]
	cur, c.cur = i, i
	t.state = threadRunning
	t.cpu = int32(kcpu)
	if !isIdle(i) {
		c.kstackTop = t.kstackTop
		c.tss.SetRSP0(t.kstackTop)
		c.userFS = t.fsBase
		c.xsave = t.xsave
		c.userCR3 = pageTableRoot(t.proc)
	}
	c.sliceEnd = nanotime() + timeSlice
	if t.sliceEnd != 0 { // handed off: the rest of its waker's slice
		c.sliceEnd = t.sliceEnd
	}
}

// afterSwitch runs on the new thread's stack after every switch: threads
// that exited are reclaimed here, once no CPU runs on their stacks. The
// CPU that left a dead thread finished doing so before it let go of the
// lock, so a dead thread that is no CPU's current one is free.
//
// Context: kernel (no allocation, no pointer stores).
func afterSwitch() {
	for i := int32(firstThread); i < threadHigh; i++ {
		if threads[i].state == threadDead && !isCurrent(i) {
			threads[i].state = threadFree
		}
	}
}

// isCurrent reports whether thread i is some CPU's current thread.
func isCurrent(i int32) bool {
	for c := range ncpus {
		if cpus[c].cur == i {
			return true
		}
	}
	return false
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
	parkWhileStopped() // made before a stop, it runs no code until SIGCONT
	armTimer()         // as trap's end does: the thread that slept to let this one run may have left a deadline
	unlockKernel()     // it leaves kernel context through trapReturn
}

// yield gives the CPU to the next runnable thread, if any.
//
// Context: kernel (no allocation, no pointer stores).
func yield() {
	if runq.head < 0 {
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
	for i := int32(firstThread); i < threadHigh && woken < n; i++ {
		t := &threads[i]
		if t.state == threadBlocked && t.waitKey == key && key != 0 {
			wake(i, wokenUp)
			woken++
		}
	}
	return woken
}

// handOff wakes a thread sleeping on key to run before the rest of the
// run queue: the caller is about to wait for it (a forwarded call, its
// reply), and the switch should not wait behind every runnable thread.
// It runs for what is left of the caller's time slice, so threads
// handing off to each other still yield to the queue when it ends.
//
// Context: kernel (no allocation, no pointer stores).
func handOff(key uint64) {
	if wakeup(key, 1) == 0 {
		return
	}
	i := runq.tail // where wakeup put it
	runq.remove(runNext[:], i)
	runq.pushFront(runNext[:], i)
	threads[i].sliceEnd = cpus[kcpu].sliceEnd
}

// expireTimers wakes threads whose deadline has passed and returns how
// many it woke.
//
// Context: kernel (no allocation, no pointer stores).
func expireTimers(now int64) int {
	n := 0
	for i := int32(firstThread); i < threadHigh; i++ {
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
	for i := int32(firstThread); i < threadHigh; i++ {
		t := &threads[i]
		if t.state == threadBlocked && t.deadline != 0 && (next == 0 || t.deadline < next) {
			next = t.deadline
		}
	}
	if c := &cpus[kcpu]; runq.head >= 0 && !isIdle(cur) && (next == 0 || c.sliceEnd < next) {
		next = c.sliceEnd
	}
	if faultDeadline != 0 && (next == 0 || faultDeadline < next) {
		next = faultDeadline
	}
	return next
}

// idle is a CPU's idle thread's loop, entered with the lock held: run
// whatever is runnable, else halt with the lock released until an
// interrupt (a timer, a device, another CPU's reschedule IPI) may have
// made something runnable.
//
// Context: kernel (no allocation, no pointer stores).
func idle() {
	for {
		if runq.head >= 0 {
			threads[cur].state = threadRunnable
			schedule()
			continue
		}
		armTimer()
		me := kcpu
		idleCPUs |= 1 << me
		kstats.IdleHalts++
		unlockKernel()
		cpu.Halt() // STI;HLT: an IPI sent since the check above still wakes it
		lockKernel(me)
		idleCPUs &^= 1 << me
	}
}
