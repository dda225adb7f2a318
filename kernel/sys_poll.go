package kernel

import (
	"golang.org/x/sys/unix"

	"warren.dev/kernel/cpu"
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
	if e := probeUser(fds, n*8, true); e != 0 {
		return 0, e
	}
	for {
		// Each entry is read and its revents written as it is after the
		// last sleep: the array may have been unmapped meanwhile.
		ready := uint64(0)
		for i := uint64(0); i < n; i++ {
			var p [8]byte
			if e := copyIn(p[:], fds+8*i); e != 0 {
				return 0, e
			}
			fd := int32(uint32(p[0]) | uint32(p[1])<<8 | uint32(p[2])<<16 | uint32(p[3])<<24)
			want := uint32(uint16(p[4]) | uint16(p[5])<<8)
			var got uint32
			if fd >= 0 {
				of, e := lookupFD(uint64(fd))
				if e != 0 {
					got = unix.POLLNVAL
				} else {
					ev, _ := of.poll()
					got = ev & (want | unix.POLLERR | unix.POLLHUP)
				}
			}
			p[6], p[7] = byte(got), byte(got>>8)
			if e := copyOut(fds+8*i+6, p[6:]); e != 0 {
				return 0, e
			}
			if got != 0 {
				ready++
			}
		}
		if ready > 0 || deadline >= 0 && nanotime() >= deadline {
			return ready, 0
		}
		d := deadline
		if d < 0 {
			d = 0
		}
		switch sleepOn(pollKey, d, true) {
		case wokenSignal:
			return 0, unix.EINTR
		}
	}
}
