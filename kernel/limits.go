package kernel

import "golang.org/x/sys/unix"

// Per-process limits: a process can exhaust only its own share of memory,
// threads and descriptors, never the machine's, and the Warren program
// (slot 0, whose failure ends the machine) keeps a reserve of each that
// processes cannot take. Defaults are set from the machine's size at
// boot; the boot line overrides them (warren.limit.*), and a process may
// lower its own with setrlimit/prlimit (raising is capped at the boot
// value, the hard limit).
//
//	memory   resident frames (reported as RLIMIT_RSS): half the frames
//	         free at boot; processes also stop at the program's reserve,
//	         an eighth of them
//	threads  RLIMIT_NPROC, counted per process: 64; processes leave the
//	         program 64 of the thread table
//	files    RLIMIT_NOFILE (descriptor numbers below it): 256; processes
//	         leave the program 64 of the open-file table
//	pipes, epoll instances, eventfds: a quarter of each global table
//	         per process (1,024 pipes, 2 epoll instances, 16 eventfds),
//	         and processes leave the program a quarter (shareAllowed);
//	         pipes' rings leave the program its reserve of frames
//
// A process that runs out of memory is killed with SIGKILL, with a line
// naming it, and its frames are freed when it ends.

type procLimits struct {
	memFrames uint64
	threads   int32
	files     int32
}

var (
	// limitDefaults are the boot-time (hard) limits every process starts
	// with; limits[p] are process p's current ones.
	limitDefaults = procLimits{threads: 64, files: 256}
	limits        [maxProcs]procLimits
	// optMemLimit is warren.limit.mem in bytes (0: the default).
	optMemLimit uint64

	// What processes leave to the program.
	reserveFrames  uint64
	reserveThreads int32 = 64
	reserveFiles   int32 = 64

	filesUsed int32 // open file descriptions, all processes
)

// initLimits sets the memory defaults from the frames free at boot.
func initLimits() {
	free := physFrames.Stats().Free
	reserveFrames = free / 8
	limitDefaults.memFrames = free / 2
	if optMemLimit != 0 {
		limitDefaults.memFrames = max(optMemLimit/pageSize, 1)
	}
}

// procFrames is process p's frame source: physFrames within the
// process's memory limit and outside the program's reserve. Each
// process's address space and page tables draw from it.
type procFrames int32

// Context: kernel (no allocation, no pointer stores).
func (p procFrames) AllocFrame() (uint64, bool) {
	pr := &procs[p]
	if pr.frames >= limits[p].memFrames || physFrames.Stats().Free <= reserveFrames {
		return 0, false
	}
	pa, ok := physFrames.Alloc()
	if ok {
		pr.frames++
	}
	return pa, ok
}

// Context: kernel (no allocation, no pointer stores).
func (p procFrames) FreeFrame(pa uint64) {
	procs[p].frames--
	physFrames.Free(pa)
}

// oomKill ends process p, which could not get a frame within its limit,
// with SIGKILL, as Linux's OOM killer does: every thread takes the signal
// at its next return to user mode (or now, if it sleeps interruptibly).
//
// Context: kernel (no allocation, no pointer stores).
func oomKill(p int32) {
	pr := &procs[p]
	if pr.exiting || pr.oomKilled {
		return
	}
	pr.oomKilled = true
	var l line
	l.s("warren: out of memory: killing process ").u(uint64(pr.pid)).s(" (").b(pr.name[:pr.nameLen]).s("), ").
		u(pr.frames * pageSize >> 10).s(" KiB resident, limit ").u(limits[p].memFrames * pageSize >> 10).s(" KiB").put()
	for i := int32(firstThread); i < threadHigh; i++ {
		if t := &threads[i]; t.proc == p && t.state != threadFree {
			signalThread(t.tid, int(unix.SIGKILL))
		}
	}
}

// threadAllowed reports whether process p may start another thread.
func threadAllowed(p int32, free int32) bool {
	return p == 0 || procs[p].nthreads < limits[p].threads && free > reserveThreads
}

// fileAllowed reports whether the caller may open another file
// description.
func fileAllowed() bool {
	return curProc() == 0 || filesUsed < maxFiles-reserveFiles
}

// fdLimit is the first descriptor number process p may not use.
func fdLimit(p int32) int {
	if p == 0 {
		return maxFDs
	}
	return int(limits[p].files)
}

// shareAllowed reports whether the caller may take one more slot of a
// global table of n kernel objects (pipes, epoll instances, eventfds),
// whose slot i is in use by process owner when used: a process may hold
// a quarter of the table, and processes together leave the program a
// quarter.
//
// Context: kernel (no allocation, no pointer stores).
func shareAllowed(n int, slot func(i int) (owner int32, used bool)) bool {
	p := curProc()
	if p == 0 {
		return true
	}
	mine, procsUsed := 0, 0
	for i := range n {
		owner, used := slot(i)
		if used && owner != 0 {
			procsUsed++
			if owner == p {
				mine++
			}
		}
	}
	return mine < n/4 && procsUsed < n-n/4
}

// rlimit returns process p's soft and hard limit of resource res.
func rlimit(p int32, res uint64) (cur, max uint64) {
	cur, max = unix.RLIM_INFINITY, unix.RLIM_INFINITY
	if p == 0 {
		if res == unix.RLIMIT_NOFILE {
			return maxFDs, maxFDs
		}
		return cur, max
	}
	switch res {
	case unix.RLIMIT_NOFILE:
		return uint64(limits[p].files), uint64(limitDefaults.files)
	case unix.RLIMIT_NPROC:
		return uint64(limits[p].threads), uint64(limitDefaults.threads)
	case unix.RLIMIT_RSS:
		return limits[p].memFrames * pageSize, limitDefaults.memFrames * pageSize
	}
	return cur, max
}

// setRlimit sets process p's soft limit of res (the hard limit is the
// boot value): EPERM above it, as for an unprivileged process on Linux.
// Limits the kernel does not enforce are accepted and ignored.
func setRlimit(p int32, res, cur, max uint64) unix.Errno {
	if cur > max {
		return unix.EINVAL
	}
	if p == 0 {
		return 0
	}
	_, hard := rlimit(p, res)
	l := &limits[p]
	switch res {
	case unix.RLIMIT_NOFILE:
		l.files = int32(min(cur, hard))
	case unix.RLIMIT_NPROC:
		l.threads = int32(min(cur, hard))
	case unix.RLIMIT_RSS:
		l.memFrames = min(cur, hard) / pageSize
	default:
		return 0
	}
	if cur > hard {
		return unix.EPERM
	}
	return 0
}
