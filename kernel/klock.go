package kernel

import (
	"math/bits"
	"sync/atomic"

	"warren.dev/kernel/cpu"
)

// The big kernel lock: kernel context on any CPU holds it, so the
// kernel's shared state is one CPU's at a time, as it was on one CPU
// (docs/smp.md). It is passed across a thread switch: the thread
// switched to releases it when it leaves kernel context. It is the only
// lock; the one wait done while holding it is a TLB shootdown's, which
// the other CPUs answer whether or not they wait for the lock.
//
// A CPU that has spun for the lock for lockSpin halts until the holder
// lets it go: when vCPUs share host cores (a loaded host, or more vCPUs
// than cores), the holder's vCPU may be descheduled, and a waiter that
// spins on only burns the host time the holder needs. A halted waiter
// is in lockParked; unlockKernel takes one out and wakes it with
// vecLockFree.

// Vectors of the interprocessor interrupts.
const (
	vecResched = 33 // enter the kernel: a thread to run, a signal, a kill
	// Taken while a CPU waits in kernel context, so above every device
	// vector (vecIRQEnd).
	vecShootdown = 0xf0 // flush the TLB and clear flushReq
	vecLockFree  = 0xf1 // the kernel lock was released: try for it again
)

// lockSpin is how long a CPU spins for the kernel lock before it halts:
// longer than the lock is normally held, so only a wait for a holder
// that is not running parks.
const lockSpin = 50_000 // ns

var (
	// bkl is 0 when free, else 1 + the index of the CPU holding it.
	bkl atomic.Uint32
	// kcpu is the index of the CPU holding the lock; cur (thread.go) is
	// that CPU's current thread. lockKernel loads both.
	kcpu int
	// idleCPUs has a bit for each CPU halted in its idle loop.
	idleCPUs uint64
	// lockParked has a bit for each CPU halted waiting for the lock.
	lockParked atomic.Uint64
	// lockSpinTicks is lockSpin in TSC ticks, set once more than one CPU
	// is online; 0 (one CPU, host tests) never parks.
	lockSpinTicks uint64
)

// lockKernel takes the lock for CPU me and reports whether it did: false
// when me holds it already (a fault taken inside kernel context). While
// it spins it answers TLB shootdowns, which the holder may be waiting for.
// A wait is counted once the lock is held (kstats is under it).
//
// Context: kernel (no allocation, no pointer stores).
func lockKernel(me int) bool {
	if bkl.Load() == uint32(me+1) {
		return false
	}
	if !bkl.CompareAndSwap(0, uint32(me+1)) {
		start := cpu.Rdtsc()
		parks := uint64(0)
		for !bkl.CompareAndSwap(0, uint32(me+1)) {
			serveShootdown(me)
			if lockSpinTicks != 0 && !cpus[me].lockParking && cpu.Rdtsc()-start > lockSpinTicks && parkForLock(me) {
				parks++
			}
			cpu.Pause()
		}
		kstats.LockWaits++
		kstats.LockWaitNanos += tscToNanos(cpu.Rdtsc() - start)
		kstats.LockParks += parks
	}
	kcpu = me
	cur = cpus[me].cur
	return true
}

// parkForLock halts CPU me until the lock may be free. Its bit in
// lockParked is set before it looks at the lock once more, and
// unlockKernel clears the lock before it reads lockParked (both
// sequentially consistent), so either the look sees the lock free or the
// releaser sees the bit and sends vecLockFree; STI;HLT takes that IPI
// even if it came in between. Interrupts are taken while halted, nested
// on this kernel stack; a trap nested here spins without parking
// (lockParking), so the nesting is one deep. It reports whether it
// halted.
//
// Context: kernel (no allocation, no pointer stores).
func parkForLock(me int) bool {
	bit := uint64(1) << me
	cpus[me].lockParking = true
	lockParked.Or(bit)
	halted := bkl.Load() != 0
	if halted {
		cpu.Halt()
	}
	lockParked.And(^bit)
	cpus[me].lockParking = false
	return halted
}

// unlockKernel releases the lock and wakes one CPU parked for it.
//
// Context: kernel (no allocation, no pointer stores).
func unlockKernel() {
	me := kcpu
	bkl.Store(0)
	if c, ok := claimParked(me); ok {
		sendIPI(cpus[c].apicID, vecLockFree)
	}
}

// claimParked takes one CPU other than me out of lockParked, for the
// caller to wake: a park is woken by one IPI, not by one at each release
// until the parked CPU runs again (under TCG a halted vCPU's host thread
// is slow to wake, and each IPI is three exits to QEMU). The parker
// clears its bit again when it wakes, then a no-op, and parks anew if
// the lock is still held.
func claimParked(me int) (int, bool) {
	for {
		parked := lockParked.Load() &^ (1 << me)
		if parked == 0 {
			return 0, false
		}
		c := bits.TrailingZeros64(parked)
		if bit := uint64(1) << c; lockParked.And(^bit)&bit != 0 {
			return c, true
		}
	}
}

// flushTLB flushes this CPU's whole TLB (a CR3 reload; global pages are
// not used). A variable so that host tests can count flushes.
var flushTLB = func() { cpu.WriteCR3(cpu.ReadCR3()) }

// serveShootdown flushes CPU me's TLB if another CPU asked it to.
//
// Context: kernel (no allocation, no pointer stores).
func serveShootdown(me int) {
	if r := &cpus[me].flushReq; r.Load() != 0 {
		flushTLB()
		r.Store(0)
	}
}

// shootdown makes every other online CPU flush its TLB and returns once
// each has: the caller's page-table change is then seen everywhere, and
// a frame it unmapped may be reused. The caller holds the lock.
//
// Context: kernel (no allocation, no pointer stores).
func shootdown() {
	if ncpus == 1 {
		return
	}
	kstats.Shootdowns++
	flushOthers(kcpu, sendShootdownIPI)
}

// sendShootdownIPI interrupts CPU c to serve its flush request.
//
// Context: kernel (no allocation, no pointer stores).
func sendShootdownIPI(c int) { sendIPI(cpus[c].apicID, vecShootdown) }

// flushOthers is the shootdown protocol: it sets the flush request of
// every online CPU but me, notifies each, and spins until every request
// is cleared. Only the lock holder runs it, so two never wait on each
// other; a CPU answers from its interrupt handler (without the lock) or
// while it spins for the lock, so the holder's wait always ends.
//
// Context: kernel (no allocation, no pointer stores).
func flushOthers(me int, notify func(c int)) {
	for c := range ncpus {
		if c != me {
			cpus[c].flushReq.Store(1)
			notify(c)
		}
	}
	for c := range ncpus {
		for cpus[c].flushReq.Load() != 0 {
			cpu.Pause()
		}
	}
}

// wakeIdleCPU sends one halted CPU other than this one the reschedule
// IPI: a thread was queued for it.
//
// Context: kernel (no allocation, no pointer stores).
func wakeIdleCPU() {
	c, ok := otherIdleCPU(idleCPUs, kcpu)
	if !ok {
		return
	}
	idleCPUs &^= 1 << c
	kstats.ReschedIPIs++
	sendIPI(cpus[c].apicID, vecResched)
}

// otherIdleCPU picks the lowest CPU in the idle mask other than me.
func otherIdleCPU(idle uint64, me int) (int, bool) {
	others := idle &^ (1 << me)
	return bits.TrailingZeros64(others), others != 0
}

// kick makes thread i enter the kernel if it runs on another CPU, so it
// sees a signal or its end at once.
//
// Context: kernel (no allocation, no pointer stores).
func kick(i int32) {
	if t := &threads[i]; t.state == threadRunning && int(t.cpu) != kcpu {
		kstats.ReschedIPIs++
		sendIPI(cpus[t.cpu].apicID, vecResched)
	}
}
