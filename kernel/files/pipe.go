package files

import (
	"golang.org/x/sys/unix"

	"warren.dev/mm/usercopy"
)

// PipeSize is the bytes one pipe buffers (Linux's default is 64 KiB;
// the kernel keeps every pipe in a fixed table).
const PipeSize = 16 << 10

// Pipe is one pipe: a byte ring and the number of open descriptions of
// each end. The kernel tells the ends apart by their access mode and
// passes reader = true for the read end.
type Pipe struct {
	Used             bool
	Owner            int32 // process slot that created it (kernel/limits.go)
	readers, writers int32
	r, n             int    // read position and bytes buffered
	seq              uint64 // changes whenever readiness may have
	buf              [PipeSize]byte
}

// Open makes p a new, empty pipe with one description of each end.
//
// Context: kernel (no allocation, no pointer stores).
func (p *Pipe) Open(owner int32) {
	p.Used, p.Owner, p.readers, p.writers, p.r, p.n = true, owner, 1, 1, 0, 0
}

// Buffered is the bytes waiting to be read (FIONREAD).
func (p *Pipe) Buffered() int { return p.n }

// PipeRead copies buffered bytes to buf, waiting while the pipe is empty
// and a writer remains; it reads end of file once none does.
//
// Context: kernel (no allocation, no pointer stores).
func PipeRead[E Env](env E, p *Pipe, buf, n uint64, nonblock bool) (uint64, unix.Errno) {
	for p.n == 0 {
		if p.writers == 0 || n == 0 {
			return 0, 0
		}
		if nonblock {
			return 0, unix.EAGAIN
		}
		if env.Wait(0) == unix.EINTR {
			return 0, unix.EINTR
		}
	}
	// Copy now, after any wait, into the caller's memory as it is now;
	// bytes that could not be copied stay in the pipe.
	want := int(min(n, uint64(p.n)))
	done := 0
	for done < want {
		seg := p.buf[p.r:min(p.r+want-done, PipeSize)]
		k, e := usercopy.Out(env, buf+uint64(done), seg)
		p.r = (p.r + k) % PipeSize
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
	env.Notify()
	return uint64(done), 0
}

// PipeWrite buffers bytes from buf, waiting while the pipe is full. It
// returns the bytes buffered and the errno that stopped it short, even
// when some were: EPIPE, once no reader is left, is the caller's cue to
// raise SIGPIPE whatever was written, as on Linux.
//
// Context: kernel (no allocation, no pointer stores).
func PipeWrite[E Env](env E, p *Pipe, buf, n uint64, nonblock bool) (uint64, unix.Errno) {
	done := uint64(0)
	for done < n {
		if p.readers == 0 {
			return done, unix.EPIPE
		}
		if p.n == PipeSize {
			if nonblock {
				return done, unix.EAGAIN
			}
			if env.Wait(0) == unix.EINTR {
				return done, unix.EINTR
			}
			continue
		}
		// Each piece is copied from the caller's memory as it is after
		// the last wait, straight into the ring.
		w := (p.r + p.n) % PipeSize
		room := p.buf[w:min(w+PipeSize-p.n, PipeSize)]
		k, e := usercopy.In(env, room[:min(uint64(len(room)), n-done)], buf+done)
		p.n += k
		done += uint64(k)
		if k > 0 {
			p.seq++
			env.Notify()
		}
		if e != 0 {
			return done, e
		}
	}
	return done, 0
}

// Poll reports an end's EPOLL* readiness and a number that changes
// whenever it may have changed.
//
// Context: kernel (no allocation, no pointer stores).
func (p *Pipe) Poll(reader bool) (uint32, uint64) {
	var ev uint32
	if reader {
		if p.n > 0 {
			ev |= unix.EPOLLIN | unix.EPOLLRDNORM
		}
		if p.writers == 0 {
			ev |= unix.EPOLLHUP
		}
	} else {
		if p.n < PipeSize {
			ev |= unix.EPOLLOUT | unix.EPOLLWRNORM
		}
		if p.readers == 0 {
			ev |= unix.EPOLLERR
		}
	}
	return ev, p.seq
}

// Close drops one description of an end; the pipe is free once both
// ends are closed. The caller notifies waiters.
//
// Context: kernel (no allocation, no pointer stores).
func (p *Pipe) Close(reader bool) {
	if reader {
		p.readers--
	} else {
		p.writers--
	}
	if p.readers == 0 && p.writers == 0 {
		p.Used = false
	}
	p.seq++
}
