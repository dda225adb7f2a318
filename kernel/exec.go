package kernel

import (
	"golang.org/x/sys/unix"

	"warren.dev/kernel/cpu"
	"warren.dev/kernel/procabi"
	"warren.dev/kernel/signal"
)

// execve: the kernel resolves the path in the caller's context and hands
// the request to the loader (warren.dev/proc, goroutines of the Warren
// program), which reads argv and envp from the caller, parses the
// executable, and either fails the call or, past the point of no return,
// lays the executable out in a fresh address space and restarts the
// calling thread there (procabi.SysExecNext, SysExecRead, SysExecReply,
// SysStart). The calling thread sleeps meanwhile.

type execPhase uint8

const (
	execIdle      execPhase = iota
	execQueued              // waiting for the loader
	execLoading             // the loader reads argv and envp, parses the file
	execCommitted           // past the point of no return: the loader lays it out
)

type execRequest struct {
	phase      execPhase
	thread     int32 // the thread in execve
	argv, envp uint64
	errno      unix.Errno // the answer
	pathLen    int
	path       [procabi.PathMax]byte
}

var (
	execReqs [maxProcs]execRequest
	// exePaths[p][:exeLens[p]] is the absolute path of process p's
	// executable, which /proc/self/exe names.
	exePaths [maxProcs][procabi.PathMax]byte
	exeLens  [maxProcs]int
	// execServed is set once a loader has announced itself: before, an
	// execve would wait for nobody, so it fails with ENOSYS.
	execServed bool
)

// Wait keys: the thread in execve, the loader waiting for a process's
// other threads to end, and the loader waiting for a request.
const (
	execKeyBase        = 1<<63 | 0x600
	execThreadsKeyBase = 1<<63 | 0x700
	execServeKey       = 1<<63 | 0x800
)

// sysExecve (path, argv, envp) runs another executable in the calling
// process. The Warren program cannot replace itself (its vfork child
// can): it is the kernel's loader.
//
// Context: kernel (no allocation, no pointer stores).
func sysExecve(f *cpu.TrapFrame) (uint64, unix.Errno) {
	p := curProc()
	if p == 0 || !execServed {
		return 0, unix.ENOSYS
	}
	r, e := resolvePath(unix.AT_FDCWD, f.RDI, true)
	if e != 0 {
		return 0, e
	}
	if r.Dev >= 0 || r.Etc >= 0 || r.InTmp { // not yet: executables written to /tmp
		return 0, unix.EACCES
	}
	if mode := initrdFS.Mode(r.Entry); mode&unix.S_IFMT != unix.S_IFREG || mode&0o111 == 0 {
		return 0, unix.EACCES
	}
	if d := initrdFS.Data(r.Entry); len(d) < 4 || string(d[:4]) != "\x7fELF" {
		return 0, unix.ENOEXEC // a script, say: known before the loader reads it
	}
	req := &execReqs[p]
	if req.phase != execIdle {
		return 0, unix.EAGAIN // another thread of the process is in execve
	}
	exe, ok := initrdFS.Path(r.Entry, req.path[:])
	if !ok {
		return 0, unix.ENAMETOOLONG
	}
	n := copy(req.path[:], exe)
	argv, envp := f.RSI, f.RDX
	staged := inProgramMemory(p)
	if staged { // the program's vfork child (execstage.go)
		if argv, envp, e = stageExecArgs(p, argv, envp); e != 0 {
			return 0, e
		}
		endVfork(p)
	}
	req.pathLen, req.argv, req.envp, req.thread = n, argv, envp, cur
	req.phase = execQueued
	wakeup(execServeKey, 1)
	for req.phase != execIdle && !threads[cur].killed {
		sleepOn(execKeyBase+uint64(p), 0, false)
	}
	if threads[cur].killed {
		return 0, unix.EINTR // the thread ends on its way out
	}
	if staged && req.errno != 0 { // past its point of no return
		endProcess(uint32(unix.SIGSEGV))
	}
	return 0, req.errno
}

// endExec answers process p's execve with errno (0: it now runs the new
// executable).
//
// Context: kernel (no allocation, no pointer stores).
func endExec(p int32, errno unix.Errno) {
	req := &execReqs[p]
	req.phase, req.errno = execIdle, errno
	wakeup(execKeyBase+uint64(p), 1)
}

// cancelExec forgets process p's execve as the process ends.
func cancelExec(p int32) { execReqs[p].phase = execIdle }

// execThreadGone is told that a thread of process p has ended, which a
// loader waiting for execve's point of no return may be waiting for.
func execThreadGone(p int32) {
	if execReqs[p].phase == execLoading && procs[p].nthreads == 1 {
		wakeup(execThreadsKeyBase+uint64(p), 1)
	}
}

// sysExecNext (req) hands the loader the next execve request; with no
// req it only announces the loader.
//
// Context: kernel (no allocation, no pointer stores).
func sysExecNext(f *cpu.TrapFrame) (uint64, unix.Errno) {
	execServed = true
	if f.RDI == 0 {
		return 0, 0
	}
	for {
		for p := int32(1); p < maxProcs; p++ {
			req := &execReqs[p]
			if req.phase != execQueued {
				continue
			}
			var hdr [procabi.ExecPath]byte
			put64(hdr[procabi.ExecPid:], uint64(procs[p].pid))
			put64(hdr[procabi.ExecArgv:], req.argv)
			put64(hdr[procabi.ExecEnvp:], req.envp)
			put64(hdr[procabi.ExecPathLen:], uint64(req.pathLen))
			if e := copyOut(f.RDI, hdr[:]); e != 0 {
				return 0, e
			}
			if e := copyOut(f.RDI+procabi.ExecPath, req.path[:req.pathLen]); e != 0 {
				return 0, e
			}
			req.phase = execLoading
			return 0, 0
		}
		if sleepOn(execServeKey, 0, true) == wokenSignal {
			return 0, unix.EINTR
		}
	}
}

// execTarget resolves the pid argument of an exec call to a live process
// whose execve is in phase want.
//
// Context: kernel (no allocation, no pointer stores).
func execTarget(pid uint64, want execPhase) (int32, unix.Errno) {
	p, e := loaderTarget(pid, procLive)
	if e == 0 && execReqs[p].phase != want {
		e = unix.EBUSY
	}
	return p, e
}

// sysExecRead (pid, addr, buf, n) copies from the memory of a process
// whose execve the loader is serving.
//
// Context: kernel (no allocation, no pointer stores).
func sysExecRead(f *cpu.TrapFrame) (uint64, unix.Errno) {
	p, e := execTarget(f.RDI, execLoading)
	if e != 0 {
		return 0, e
	}
	return 0, copyBetween(0, f.RDX, p, f.RSI, f.R10)
}

// sysExecReply (pid, errno) fails an execve, passes its point of no
// return, or kills a process whose execve failed past it.
//
// Context: kernel (no allocation, no pointer stores).
func sysExecReply(f *cpu.TrapFrame) (uint64, unix.Errno) {
	errno := unix.Errno(f.RSI)
	if p, e := execTarget(f.RDI, execCommitted); e == 0 {
		if errno != 0 {
			markEnding(p, uint32(unix.SIGSEGV))
		}
		return 0, 0
	}
	p, e := execTarget(f.RDI, execLoading)
	if e != 0 {
		return 0, e
	}
	if errno != 0 {
		endExec(p, errno)
		return 0, 0
	}
	pr := &procs[p]
	// The other threads end first (Linux's de_thread), so none touches
	// the memory about to go.
	killThreads(p, execReqs[p].thread)
	for pr.nthreads > 1 && !pr.exiting {
		sleepOn(execThreadsKeyBase+uint64(p), 0, false)
	}
	if pr.exiting {
		return 0, unix.ESRCH
	}
	if pr.mm == p {
		dropMemory(p)
	} else {
		pr.mm = p // its own address space, empty since the slot was last used
		endVfork(p)
	}
	execReqs[p].phase = execCommitted
	return 0, 0
}

// finishExec restarts the thread in process p's execve at entry with
// the stack pointer sp, in the state a new process starts in: signal
// handlers reset (ignored signals stay ignored), close-on-exec
// descriptors closed, the saved IDs set to the effective ones, the break
// at brk.
//
// Context: kernel (no allocation, no pointer stores).
func finishExec(p int32, entry, sp, brk uint64) unix.Errno {
	if entry >= procabi.UserTop || sp > procabi.UserTop {
		return unix.EINVAL
	}
	req := &execReqs[p]
	t := &threads[req.thread]
	*t.frame() = cpu.TrapFrame{
		RIP:    entry,
		CS:     cpu.UserCS,
		RFLAGS: cpu.FlagIF | 1<<1,
		RSP:    sp,
		SS:     cpu.UserDS,
	}
	copy(physBytes(t.xsave, int(xsaveSize)), physBytes(xsaveInit, int(xsaveSize)))
	t.fsBase, t.clearChildTID, t.keepCaps = 0, 0, false
	t.altStack = signal.AltStack{Flags: signal.SS_DISABLE}
	for sig := range sigActions[p] {
		if sigActions[p][sig].Handler != sigIGN {
			sigActions[p][sig] = signal.Action{}
		}
	}
	closeOnExec(p)
	execCreds(p)
	pr := &procs[p]
	pr.brkStart, pr.brk = brk, brk
	pr.nameLen = copy(pr.name[:], req.path[:req.pathLen])
	setExePath(p, req.path[:req.pathLen])
	endExec(p, 0)
	return 0
}

// findProgramExe makes /proc/self/exe of the program name
// procabi.ProgramExe when the initrd holds it: the program built as a
// plain Linux executable, which its vfork child can exec.
//
// Context: kernel (no allocation, no pointer stores); runs in kmain.
func findProgramExe() {
	var path [len(procabi.ProgramExe)]byte
	copy(path[:], procabi.ProgramExe)
	if i, ok := initrdFS.Lookup(path[:]); ok && initrdFS.Mode(i)&unix.S_IFMT == unix.S_IFREG {
		setExePath(0, path[:])
	}
}

// setExePath records the executable of process p.
func setExePath(p int32, path []byte) { exeLens[p] = copy(exePaths[p][:], path) }

// copyExePath gives process c the executable of process p.
func copyExePath(c, p int32) { setExePath(c, exePaths[p][:exeLens[p]]) }

// curExePath is the caller's executable; empty for a program whose
// initrd does not hold it (findProgramExe).
func curExePath() []byte {
	p := curProc()
	return exePaths[p][:exeLens[p]]
}
