package kernel

import (
	"golang.org/x/sys/unix"

	"warren.dev/kernel/cpu"
	"warren.dev/mm/usercopy"
)

// Pipes: a byte ring per pipe, its read end and write end two open file
// descriptions of kind kindPipe told apart by their access mode.

const (
	maxPipes    = 32
	pipeBufSize = 16 << 10
)

type pipe struct {
	used             bool
	owner            int32 // process slot that created it (limits.go)
	readers, writers int32
	r, n             int // read position and bytes buffered
	seq              uint64
	buf              [pipeBufSize]byte
}

var pipes [maxPipes]pipe

// sysPipe2 creates a pipe: fds[0] reads, fds[1] writes.
//
// Context: kernel (no allocation, no pointer stores).
func sysPipe2(f *cpu.TrapFrame) (uint64, unix.Errno) {
	fds, flags := f.RDI, uint32(f.RSI)
	if flags&^(unix.O_CLOEXEC|unix.O_NONBLOCK|unix.O_DIRECT) != 0 {
		return 0, unix.EINVAL
	}
	if e := probeUser(fds, 8, true); e != 0 {
		return 0, e
	}
	if !shareAllowed(maxPipes, func(i int) (int32, bool) { return pipes[i].owner, pipes[i].used }) {
		return 0, unix.ENFILE
	}
	for i := int32(0); i < maxPipes; i++ {
		p := &pipes[i]
		if p.used {
			continue
		}
		p.used, p.owner, p.readers, p.writers, p.r, p.n = true, curProc(), 1, 1, 0, 0
		keep := flags & (unix.O_CLOEXEC | unix.O_NONBLOCK)
		rfd, e := openNew(kindPipe, i, keep|unix.O_RDONLY)
		if e != 0 {
			p.used = false
			return 0, e
		}
		wfd, e := openNew(kindPipe, i, keep|unix.O_WRONLY)
		if e != 0 {
			closeFD(rfd)
			return 0, e
		}
		store32(fds, uint32(rfd))
		store32(fds+4, uint32(wfd))
		return 0, 0
	}
	return 0, unix.ENFILE
}

func sysPipe(f *cpu.TrapFrame) (uint64, unix.Errno) {
	f.RSI = 0
	return sysPipe2(f)
}

// pipeRead copies buffered bytes out, blocking while the pipe is empty
// and a writer remains; end of file once none does.
//
// Context: kernel (no allocation, no pointer stores).
func pipeRead(of *openFile, buf, n uint64) (uint64, unix.Errno) {
	p := &pipes[of.obj]
	for p.n == 0 {
		if p.writers == 0 || n == 0 {
			return 0, 0
		}
		if of.nonblocking() {
			return 0, unix.EAGAIN
		}
		if sleepOn(pollKey, 0, true) == wokenSignal {
			return 0, unix.EINTR
		}
	}
	// Copy now, after any sleep, into the caller's memory as it is now;
	// bytes that could not be copied stay in the pipe.
	want := int(min(n, uint64(p.n)))
	done := 0
	for done < want {
		seg := p.buf[p.r:min(p.r+want-done, pipeBufSize)]
		k, e := usercopy.Out(caller(), buf+uint64(done), seg)
		p.r = (p.r + k) % pipeBufSize
		p.n -= k
		done += k
		if e != 0 {
			if done == 0 {
				return 0, e
			}
			break
		}
	}
	p.seq++
	pollNotify()
	return uint64(done), 0
}

// pipeWrite buffers bytes, blocking while the pipe is full; with no
// reader left it fails with EPIPE and raises SIGPIPE, as on Linux.
//
// Context: kernel (no allocation, no pointer stores).
func pipeWrite(of *openFile, buf, n uint64) (uint64, unix.Errno) {
	p := &pipes[of.obj]
	done := uint64(0)
	for done < n {
		if p.readers == 0 {
			threads[cur].sigPending |= 1 << (unix.SIGPIPE - 1)
			return transferred(done, unix.EPIPE)
		}
		if p.n == pipeBufSize {
			if of.nonblocking() {
				return transferred(done, unix.EAGAIN)
			}
			if sleepOn(pollKey, 0, true) == wokenSignal {
				return transferred(done, unix.EINTR)
			}
			continue
		}
		// Each piece is copied from the caller's memory as it is after
		// the last sleep, straight into the ring.
		w := (p.r + p.n) % pipeBufSize
		room := p.buf[w:min(w+pipeBufSize-p.n, pipeBufSize)]
		k, e := usercopy.In(caller(), room[:min(uint64(len(room)), n-done)], buf+done)
		p.n += k
		done += uint64(k)
		if k > 0 {
			p.seq++
			pollNotify()
		}
		if e != 0 {
			return transferred(done, e)
		}
	}
	return done, 0
}

// pipePoll reports a pipe end's readiness.
func pipePoll(of *openFile) (uint32, uint64) {
	p := &pipes[of.obj]
	var ev uint32
	if of.flags&unix.O_ACCMODE == unix.O_RDONLY {
		if p.n > 0 {
			ev |= unix.EPOLLIN | unix.EPOLLRDNORM
		}
		if p.writers == 0 {
			ev |= unix.EPOLLHUP
		}
	} else {
		if p.n < pipeBufSize {
			ev |= unix.EPOLLOUT | unix.EPOLLWRNORM
		}
		if p.readers == 0 {
			ev |= unix.EPOLLERR
		}
	}
	return ev, p.seq
}

// pipeRelease drops one end of a pipe.
func pipeRelease(of *openFile) {
	p := &pipes[of.obj]
	if of.flags&unix.O_ACCMODE == unix.O_RDONLY {
		p.readers--
	} else {
		p.writers--
	}
	if p.readers == 0 && p.writers == 0 {
		p.used = false
	}
	p.seq++
	pollNotify()
}
