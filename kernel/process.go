package kernel

import (
	"golang.org/x/sys/unix"

	"warren.dev/kernel/cpu"
	"warren.dev/kernel/procabi"
	"warren.dev/kernel/signal"
	"warren.dev/mm/pagetable"
	"warren.dev/mm/vm"
)

// Processes. Slot 0 is the Warren program itself (pid 1): the image, in
// the kernel's address space, trusted with I/O ports. The other slots hold
// ring-3 processes that warren.dev/proc loads from static executables
// (procabi): each has page tables of its own, which map its memory, the
// image's alias and the kernel stacks (supervisor-only) and the vDSO
// (vdso.go, read-only), runs with IOPL 0, and has its own descriptors and
// signal dispositions. Its threads are
// ordinary kernel threads; their system calls go through the same table.
//
// Everything here is integers: the pointer fields of each slot's tables
// and address space are set once, in kmain.

const maxProcs = 16

type procState uint8

const (
	procFree   procState = iota
	procNew              // created, being loaded: no thread yet
	procLive             // running
	procZombie           // ended; its status waits for SysWait
)

type process struct {
	state    procState
	pid      int32
	nthreads int32
	// exiting is set by exit_group or a fatal signal: every thread of
	// the process ends at its next return to user mode.
	exiting bool
	status  uint32 // wait status, Linux encoding
	// brkStart is where the break started (the end of the loaded image);
	// brk is where it is now.
	brkStart, brk uint64
	faultAddr     uint64 // of the fault that killed it, for the message
	frames        uint64 // resident frames of its address space (limits.go)
	oomKilled     bool
	name          [procabi.NameMax]byte
	nameLen       int
	// mm is the slot whose address space the process runs in: its own,
	// or its parent's while it is a vfork child that has not exec'd
	// (vfork.go).
	mm int32
	// parent is the slot of the process that waits for it: 0 for the
	// loader's processes (SysWait), -1 for an orphan, which nobody
	// waits for (wait.go).
	parent int32
	// exitSignal is sent to the parent when the process ends (clone's
	// low byte; 0 for none).
	exitSignal uint8
	// vfork: a thread of the parent sleeps in vfork until the process
	// execs or ends.
	vfork bool
	// forked: made by clone or vfork, so its parent collects it with
	// wait4 or waitid, even when the parent is the program; the
	// loader's processes are collected by SysWait.
	forked bool
	// umask is the file mode creation mask (umask(2)), inherited.
	umask uint32
	// stopped: job control stopped the process with stopSig; jobReport
	// is the stop or continue its parent has not collected (jobctl.go).
	stopped   bool
	stopSig   uint8
	jobReport uint8
}

var (
	procs      [maxProcs]process
	procTables [maxProcs]pagetable.Tables // slot 0 unused: the program has kernelTables
	procAS     [maxProcs]vm.AddressSpace  // slot 0 unused: the program has userAS
	nextPID    int32                      = programPID + 1

	// xsaveInit is the XSAVE image every process's first thread starts
	// with: all state in its initial configuration.
	xsaveInit uint64
)

// programPID is the Warren program's process ID.
const programPID = 1

// Wait keys of processes (bit 63: kernel keys).
const procWaitKeyBase = 1<<63 | 0x300

// initProcesses prepares the slots: the program in slot 0, and for the
// others page tables whose kernel half is shared with the kernel's and an
// empty address space over [UserBottom, UserTop).
//
// Context: kernel (no allocation, no pointer stores). Runs in kmain,
// which may store the slots' pointers.
func initProcesses() {
	procs[0] = process{state: procLive, pid: programPID, parent: -1, umask: 0o022}
	procs[0].nameLen = copy(procs[0].name[:], "warren")
	k := physTable(kernelTables.Root())
	shared := [...]int{int(kstackRegion >> 39 & 511), int(aliasBase >> 39 & 511), int(vdsoRegion >> 39 & 511)}
	for p := 1; p < maxProcs; p++ {
		if err := procTables[p].Init(physMemory{}, &physFrames); err != nil {
			bootFail("no memory for process page tables")
		}
		root := physTable(procTables[p].Root())
		for _, i := range shared {
			root[i] = k[i]
		}
		// Page-table frames come from physFrames: at most one per 512
		// data frames, which procFrames limits.
		cfg := vm.Config{Tables: &procTables[p], Frames: procFrames(p), Mem: physMemory{}, TLB: procTLB(p),
			Lo: procabi.UserBottom, Hi: procabi.UserTop}
		if err := procAS[p].Init(cfg); err != nil {
			bootFail("process address space")
		}
	}
	pa, ok := physFrames.Alloc()
	if !ok || signal.InitXSave(physBytes(pa, int(xsaveSize)), xcr0) != nil {
		bootFail("no memory for the initial XSAVE image")
	}
	xsaveInit = pa
}

// curProc is the slot of the running thread's process.
func curProc() int32 { return threads[cur].proc }

// inProgramMemory reports whether process p runs in the program's
// address space, the kernel's: the program itself, or a vfork child of it
// that has not exec'd (vfork.go).
func inProgramMemory(p int32) bool { return procs[p].mm == 0 }

// addressSpace returns the address space process p runs in.
func addressSpace(p int32) *vm.AddressSpace {
	if inProgramMemory(p) {
		return &userAS
	}
	return &procAS[procs[p].mm]
}

// pageTableRoot returns the CR3 value of process p.
func pageTableRoot(p int32) uint64 {
	if inProgramMemory(p) {
		return kernelTables.Root()
	}
	return procTables[procs[p].mm].Root()
}

// procByPID finds the slot of a process that has not been waited for.
func procByPID(pid int32) (int32, bool) {
	for p := int32(0); p < maxProcs; p++ {
		if procs[p].state != procFree && procs[p].pid == pid {
			return p, true
		}
	}
	return 0, false
}

// createProcess claims a slot for an empty process named name, with no
// descriptors, whose parent is the program (the loader): it inherits the
// program's umask, credentials and working directory.
//
// Context: kernel (no allocation, no pointer stores).
func createProcess(name []byte) (int32, unix.Errno) {
	for p := int32(1); p < maxProcs; p++ {
		pr := &procs[p]
		if pr.state != procFree {
			continue
		}
		// Process and thread IDs share one sequence, as on Linux, where
		// a process's first thread has its pid as tid.
		*pr = process{state: procNew, pid: nextTID, mm: p, umask: procs[0].umask}
		limits[p] = limitDefaults
		nextTID++
		pr.nameLen = copy(pr.name[:], name)
		sigActions[p] = [maxSignal + 1]signal.Action{}
		procCreds[p] = procCreds[0]
		clearFDs(p)
		inheritCwd(p, 0)
		return p, 0
	}
	return 0, unix.EAGAIN
}

// startProcess gives process p its first thread, which enters user mode
// at entry with the stack pointer sp.
//
// Context: kernel (no allocation, no pointer stores).
func startProcess(p int32, entry, sp, brk uint64) unix.Errno {
	if entry >= procabi.UserTop || sp > procabi.UserTop {
		return unix.EINVAL
	}
	i, e := allocThread(p)
	if e != 0 {
		return e
	}
	t := &threads[i]
	t.tid = procs[p].pid
	*t.frame() = cpu.TrapFrame{
		RIP:    entry,
		CS:     cpu.UserCS,
		RFLAGS: cpu.FlagIF | 1<<1, // IOPL 0: port I/O and cli fault
		RSP:    sp,
		SS:     cpu.UserDS,
	}
	copy(physBytes(t.xsave, int(xsaveSize)), physBytes(xsaveInit, int(xsaveSize)))
	pr := &procs[p]
	pr.brkStart, pr.brk = brk, brk
	pr.state = procLive
	prepareFirstSwitch(i)
	enqueue(i)
	return 0
}

// endProcess ends the calling thread's process with a wait status: every
// other thread is told to end, and this one ends now. The program's end
// is the machine's. It does not return.
//
// Context: kernel (no allocation, no pointer stores).
func endProcess(status uint32) {
	p := curProc()
	if p == 0 {
		if status&0x7f != 0 { // killed by a signal: as a shell reports it
			powerOff(uint8(128 + status&0x7f))
		}
		powerOff(uint8(status >> 8))
	}
	markEnding(p, status)
	exitThread(0)
}

// markEnding makes process p end with a wait status, unless it is already
// ending: every thread of it but the caller ends at its next return
// towards user mode.
//
// Context: kernel (no allocation, no pointer stores).
func markEnding(p int32, status uint32) {
	pr := &procs[p]
	if pr.exiting {
		return
	}
	pr.exiting, pr.status = true, status
	pr.stopped, pr.jobReport = false, jobNone // an end is all there is left to report
	killThreads(p, cur)
}

// killThreads tells every thread of process p but thread keep to end,
// waking those that sleep and kicking those that run.
//
// Context: kernel (no allocation, no pointer stores).
func killThreads(p, keep int32) {
	for i := int32(firstThread); i < threadHigh; i++ {
		t := &threads[i]
		if i == keep || t.proc != p || t.state == threadFree || t.state == threadDead {
			continue
		}
		t.killed = true
		if t.state == threadBlocked {
			wake(i, wokenSignal)
		}
		kick(i) // one running on another CPU sees it now
	}
}

// releaseProcess runs on the last thread of process p as it ends: it
// closes the descriptors, frees the memory and reports the end.
//
// Context: kernel (no allocation, no pointer stores).
func releaseProcess(p int32) {
	pr := &procs[p]
	closeAllFDs(p)
	dropCwdTmp(p)
	if pr.mm == p {
		dropMemory(p)
	}
	endVfork(p)
	cancelExec(p)
	pr.state = procZombie
	pollNotify() // its pidfds are readable

	var l line
	l.s("warren: process ").u(uint64(pr.pid)).s(" (").b(pr.name[:pr.nameLen]).s(")")
	if sig := pr.status & 0x7f; sig != 0 {
		l.s(" killed by signal ").u(uint64(sig)).s(" (").s(unix.SignalName(unix.Signal(sig))).s(")")
		if pr.faultAddr != 0 {
			l.s(" at ").hex(pr.faultAddr)
		}
	} else {
		l.s(" exited with status ").u(uint64(pr.status >> 8))
	}
	l.put()
	orphanChildren(p)
	notifyParent(p)
}

// dropMemory empties the address space of slot p, ending any vfork child
// still running in it.
//
// Context: kernel (no allocation, no pointer stores).
func dropMemory(p int32) {
	for c := int32(1); c < maxProcs; c++ {
		if c != p && procs[c].state == procLive && procs[c].mm == p {
			markEnding(c, uint32(unix.SIGKILL))
		}
	}
	hideWindow(p)
	procAS[p].Munmap(procabi.UserBottom, procabi.UserTop-procabi.UserBottom)
}

// waitProcess blocks until process p has ended, then frees its slot and
// returns its wait status.
//
// Context: kernel (no allocation, no pointer stores).
func waitProcess(p int32) (uint64, unix.Errno) {
	pr := &procs[p]
	for pr.state != procZombie {
		if pr.state == procNew { // never started (the loader gave up): end it here
			pr.status = uint32(unix.SIGKILL)
			releaseProcess(p)
			break
		}
		if sleepOn(procWaitKeyBase+uint64(p), 0, true) == wokenSignal {
			return 0, unix.EINTR
		}
	}
	st := pr.status
	pr.state = procFree
	return uint64(st), 0
}

// procBrk moves process p's break, as brk(2): it returns the new break, or
// the old one if addr is 0, below the start, or cannot be backed.
//
// Context: kernel (no allocation, no pointer stores).
func procBrk(p int32, addr uint64) uint64 {
	pr := &procs[p]
	if addr < pr.brkStart || addr >= procabi.UserTop {
		return pr.brk
	}
	oldEnd := (pr.brk + pageSize - 1) &^ (pageSize - 1)
	newEnd := (addr + pageSize - 1) &^ (pageSize - 1)
	as := &procAS[p]
	switch {
	case newEnd > oldEnd:
		if _, e := as.Mmap(oldEnd, newEnd-oldEnd, unix.PROT_READ|unix.PROT_WRITE,
			unix.MAP_PRIVATE|unix.MAP_ANONYMOUS|unix.MAP_FIXED_NOREPLACE); e != 0 {
			return pr.brk
		}
	case newEnd < oldEnd:
		as.Munmap(newEnd, oldEnd-newEnd)
	}
	pr.brk = addr
	return addr
}

// procTLB invalidates the kernel's view of process p's memory (the
// window, window.go) on this CPU, and every translation of it on the
// others, where p's threads may run (shootdown). This CPU holds none of
// p's own: it entered the kernel's tables, and the CR3 write on every
// return to p flushes them.
type procTLB int32

func (p procTLB) Invalidate(start, end uint64) {
	if windowProc == int32(p) {
		for va := start; va < end; va += pageSize {
			cpu.Invlpg(windowBase + va)
		}
	}
	shootdown()
}

func (p procTLB) Flush() {
	if windowProc == int32(p) {
		cpu.WriteCR3(cpu.ReadCR3())
	}
	shootdown()
}
