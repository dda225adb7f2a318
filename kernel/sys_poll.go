package kernel

import (
	"golang.org/x/sys/unix"

	"warren.dev/kernel/cpu"
	"warren.dev/kernel/files"
)

// poll and ppoll over every kind of file, sockets included.

const maxPollFDs = 1024

// sysPoll is poll(fds, nfds, timeout ms).
func sysPoll(f *cpu.TrapFrame) (uint64, unix.Errno) {
	timeout := int64(int32(f.RDX))
	var deadline int64 = -1
	if timeout >= 0 {
		deadline = nanotime() + timeout*1e6
	}
	return pollFDs(f.RDI, f.RSI, deadline)
}

// sysPpoll is ppoll(fds, nfds, timespec, sigmask).
func sysPpoll(f *cpu.TrapFrame) (uint64, unix.Errno) {
	var deadline int64 = -1
	if f.RDX != 0 {
		ns, e := readTimespec(f.RDX)
		if e != 0 {
			return 0, e
		}
		deadline = nanotime() + ns
	}
	return pollFDs(f.RDI, f.RSI, deadline)
}

// pollFDs waits until one of the pollfd entries is ready or the deadline
// (monotonic ns; -1 never) passes.
//
// Context: kernel (no allocation, no pointer stores).
func pollFDs(fds, n uint64, deadline int64) (uint64, unix.Errno) {
	if n > maxPollFDs {
		return 0, unix.EINVAL
	}
	if e := probeUser(fds, n*files.PollFDSize, true); e != 0 {
		return 0, e
	}
	return files.Poll(callerEnv(), descs{}, &fdTables[curProc()], fds, n, deadline)
}
