package kernel

import (
	"golang.org/x/sys/unix"

	"warren.dev/kernel/cpu"
	"warren.dev/mm/pagetable"
)

// Faults the kernel cannot hand to the program (a fault in kernel mode, a
// double fault) are fatal. The kernel prints the raw state at once, then
// wakes the fault reporter goroutine (crash_unsafe.go, over kernel/crash), which decodes the
// instruction and symbolizes the backtrace with the runtime's tables, and
// the machine exits with exitKernelFailure. A watchdog powers off if the
// reporter cannot run (its M may need the P the faulting thread held).

const reporterGrace = 3_000_000_000 // ns

// faultState is the captured machine state; integers only.
type faultState struct {
	valid              bool
	frame              cpu.TrapFrame
	cr0, cr2, cr3, cr4 uint64
	fsBase             uint64
	code               [16]byte
	ncode              int
	stack              [32]uint64
	nstack             int
	tid                int32
}

var (
	pendingFault   faultState
	inKernelFault  bool
	reporterWaits  bool
	faultDeadline  int64
	faultReportKey = uint64(1<<63 | 0x100)
)

// kernelFault handles a fatal fault in kernel mode.
//
// Context: kernel (no allocation, no pointer stores).
func kernelFault(f *cpu.TrapFrame, what string) {
	if inKernelFault {
		logs("fault while handling a kernel fault")
		powerOff(exitKernelFailure)
	}
	inKernelFault = true
	s := &pendingFault
	s.frame = *f
	s.cr0, s.cr2, s.cr3, s.cr4 = cpu.ReadCR0(), cpu.ReadCR2(), cpu.ReadCR3(), cpu.ReadCR4()
	s.fsBase = threads[cur].fsBase
	s.tid = threads[cur].tid
	s.ncode = readKernelBytes(f.RIP, s.code[:])
	s.nstack = walkFrames(f.RBP, s.stack[:])
	printRawFault(what)

	if !reporterWaits || isIdle(cur) {
		powerOff(exitKernelFailure)
	}
	s.valid = true
	faultDeadline = nanotime() + reporterGrace
	wakeup(faultReportKey, 1)
	t := &threads[cur]
	t.state = threadDead // the faulting thread never runs again
	procs[t.proc].nthreads--
	schedule()
}

// readKernelBytes copies mapped bytes at va into b.
func readKernelBytes(va uint64, b []byte) int {
	for i := range b {
		if _, _, flags, ok := kernelTables.Lookup(va + uint64(i)); !ok || flags&pagetable.Present == 0 {
			return i
		}
		b[i] = physBytes(va+uint64(i), 1)[0]
	}
	return len(b)
}

// walkFrames follows the frame-pointer chain on the current kernel stack
// and returns the return addresses it found.
func walkFrames(bp uint64, pcs []uint64) int {
	lo, hi := bootStackBounds()
	switch {
	case !isIdle(cur):
		hi = threads[cur].kstackTop
		lo = hi - kstackSize
	case cur != bootCPU: // an application processor's idle thread
		hi = cpus[cur].stack
		lo = hi - kstackSize
	}
	n := 0
	for n < len(pcs) && bp >= lo && bp+16 <= hi && bp&7 == 0 {
		pcs[n] = *(*uint64)(pointerAt(bp + 8))
		n++
		bp = *(*uint64)(pointerAt(bp))
	}
	return n
}

// printRawFault prints what needs no decoding, in case nothing else runs.
func printRawFault(what string) {
	s := &pendingFault
	f := &s.frame
	var l line
	l.s("warren: kernel fault: ").s(what).s(": vector ").u(f.Vector).s(" error ").hex(f.ErrorCode).s(" thread ").u(uint64(s.tid)).put()
	l.s("warren:   rip ").hex(f.RIP).s(" rsp ").hex(f.RSP).s(" rflags ").hex(f.RFLAGS).s(" cr2 ").hex(s.cr2).put()
	l.s("warren:   rax ").hex(f.RAX).s(" rbx ").hex(f.RBX).s(" rcx ").hex(f.RCX).s(" rdx ").hex(f.RDX).put()
	l.s("warren:   rsi ").hex(f.RSI).s(" rdi ").hex(f.RDI).s(" rbp ").hex(f.RBP).s(" r8 ").hex(f.R8).put()
	l.s("warren:   r9 ").hex(f.R9).s(" r10 ").hex(f.R10).s(" r11 ").hex(f.R11).s(" r12 ").hex(f.R12).put()
	l.s("warren:   r13 ").hex(f.R13).s(" r14 ").hex(f.R14).s(" r15 ").hex(f.R15).put()
	l.s("warren:   code")
	for _, c := range s.code[:s.ncode] {
		l.s(" ").hex(uint64(c))
	}
	l.put()
	l.s("warren:   stack")
	for _, pc := range s.stack[:s.nstack] {
		l.s(" ").hex(pc)
	}
	l.put()
}

// sysFaultWait blocks the fault reporter until a kernel fault, then
// copies the captured state (the faultState layout, read by crash_unsafe.go)
// to its buffer. A signal restarts the wait after its handler ran: the
// reporter's thread is one of the program's, and the runtime signals every
// thread and waits for each to answer (syscall.AllThreadsSyscall).
//
// Context: kernel (no allocation, no pointer stores).
func sysFaultWait(f *cpu.TrapFrame) (uint64, unix.Errno) {
	if f.RSI != faultRecordSize {
		return 0, unix.EINVAL
	}
	for !pendingFault.valid {
		reporterWaits = true
		wakeup(reporterReadyKey, maxThreads)
		if sleepOn(faultReportKey, 0, true) == wokenSignal {
			return 0, errRestart
		}
	}
	return 0, copyOut(f.RDI, faultRecord())
}

var reporterReadyKey = uint64(1<<63 | 0x101)

// sysDebugFault faults in kernel mode on purpose when the machine was
// booted with warren.debug=fault, once the reporter is waiting; otherwise
// it does nothing.
//
// Context: kernel (no allocation, no pointer stores).
func sysDebugFault(*cpu.TrapFrame) (uint64, unix.Errno) {
	if !optDebugFault {
		return 0, 0
	}
	for !reporterWaits {
		sleepOn(reporterReadyKey, nanotime()+reporterGrace, false)
		if !reporterWaits {
			break
		}
	}
	*(*uint64)(pointerAt(debugFaultAddr)) = 0xdead // #PF in kernel mode
	return 0, 0
}

// debugFaultAddr lies in the unmapped first page.
const debugFaultAddr = 0x8
