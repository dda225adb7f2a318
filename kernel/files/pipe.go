package files

import (
	"golang.org/x/sys/unix"

	"warren.dev/mm/usercopy"
)

// PipeSize is the bytes a new pipe buffers (Linux's default is 64 KiB);
// F_SETPIPE_SZ changes it (pipering.go).
const PipeSize = 16 << 10

// PageSize is the size of a page of a pipe's ring.
const PageSize = 4096

// pipePages is the pages of a new pipe's ring.
const pipePages = PipeSize / PageSize

// Pages is where pipes keep their bytes: pages the kernel takes from its
// frame allocator when a pipe is made and gets back when it is freed, so
// that only pipes in use cost memory.
type Pages interface {
	// AllocPage takes a page; false when none is left.
	AllocPage() (pa uint64, ok bool)
	// FreePage gives a page back.
	FreePage(pa uint64)
	// Page views a page taken with AllocPage.
	Page(pa uint64) *[PageSize]byte
}

// Pipe is one pipe: a byte ring and the number of open descriptions of
// each end. The kernel tells the ends apart by their access mode and
// passes reader = true for the read end.
type Pipe struct {
	Used             bool
	Owner            int32 // process slot that created it (kernel/limits.go)
	readers, writers int32
	r, n             int    // read position and bytes buffered
	seq              uint64 // changes whenever readiness may have
	size             int    // the ring's bytes
	// pages are the ring's pages, or for a ring larger than PipeSize
	// pages[0] is a page listing them (pipering.go).
	pages [pipePages]uint64
	// rOpens and wOpens count the opens of each end of a FIFO: an open
	// waiting for the other end wakes when its count changes, even if
	// that end is closed again by then.
	rOpens, wOpens uint32
	// Held is set while a splice moves bytes between the pipe and a
	// socket through the socket layer, which the kernel waits for: reads
	// and writes wait until it ends, so the bytes it counted on stay
	// (splice.go).
	Held bool
}

// OpenPipe makes p, which is not in use, a new, empty pipe with one
// description of each end, its ring taken from mem: false if mem has too
// few pages left.
//
// Context: kernel (no allocation, no pointer stores).
func OpenPipe[M Pages](mem M, p *Pipe, owner int32) bool {
	if !OpenFifo(mem, p, owner) {
		return false
	}
	p.readers, p.writers = 1, 1
	return true
}

// OpenFifo makes p, which is not in use, the empty pipe of a FIFO, with
// no end open until FifoOpen: false if mem has too few pages left.
//
// Context: kernel (no allocation, no pointer stores).
func OpenFifo[M Pages](mem M, p *Pipe, owner int32) bool {
	q := Pipe{Used: true, Owner: owner, size: PipeSize}
	if !allocRing(mem, &q) {
		return false
	}
	*p = q
	return true
}

// FifoOpen opens the read end, the write end or (O_RDWR) both of a
// FIFO's pipe p, as Linux's open of a FIFO: without nonblock, an open of
// one end waits until the other end is opened; with it, opening the
// read end succeeds at once and opening the write end fails with ENXIO
// while no reader has it open. An open that fails leaves p as it was,
// freed if no end is open.
//
// Context: kernel (no allocation, no pointer stores).
func FifoOpen[E Env, M Pages](env E, mem M, p *Pipe, read, write, nonblock bool) unix.Errno {
	switch {
	case read && write:
		p.readers++
		p.writers++
		p.rOpens++
		p.wOpens++
	case read:
		p.readers++
		p.rOpens++
	case p.readers == 0 && nonblock:
		freeIdle(mem, p)
		return unix.ENXIO
	default:
		p.writers++
		p.wOpens++
	}
	p.seq = NextSeq()
	env.Notify()
	if nonblock || read && write {
		return 0
	}
	other, opens := &p.writers, &p.wOpens
	if write {
		other, opens = &p.readers, &p.rOpens
	}
	for seen := *opens; *other == 0 && *opens == seen; {
		if env.Wait(0) == unix.EINTR {
			ClosePipe(mem, p, read)
			env.Notify()
			return unix.EINTR
		}
	}
	return 0
}

// Buffered is the bytes waiting to be read (FIONREAD).
func (p *Pipe) Buffered() int { return p.n }

// AwaitData waits until p has bytes to read and no splice holds it: ok
// is false at end of file (no writer left) or for a read of 0 bytes.
//
// Context: kernel (no allocation, no pointer stores).
func AwaitData[E Env](env E, p *Pipe, n uint64, nonblock bool) (ok bool, e unix.Errno) {
	for p.n == 0 || p.Held {
		if p.n == 0 && (p.writers == 0 || n == 0) {
			return false, 0
		}
		if nonblock {
			return false, unix.EAGAIN
		}
		if env.Wait(0) == unix.EINTR {
			return false, unix.EINTR
		}
	}
	return true, 0
}

// AwaitRoom waits until p has room and no splice holds it: EPIPE once
// no reader is left.
//
// Context: kernel (no allocation, no pointer stores).
func AwaitRoom[E Env](env E, p *Pipe, nonblock bool) unix.Errno {
	for {
		switch {
		case p.readers == 0:
			return unix.EPIPE
		case p.n < p.size && !p.Held:
			return 0
		case nonblock:
			return unix.EAGAIN
		}
		if env.Wait(0) == unix.EINTR {
			return unix.EINTR
		}
	}
}

// PipeRead copies buffered bytes to buf, waiting while the pipe is empty
// and a writer remains; it reads end of file once none does.
//
// Context: kernel (no allocation, no pointer stores).
func PipeRead[E Env, M Pages](env E, mem M, p *Pipe, buf, n uint64, nonblock bool) (uint64, unix.Errno) {
	if ok, e := AwaitData(env, p, n, nonblock); !ok {
		return 0, e
	}
	// Copy now, after any wait, into the caller's memory as it is now;
	// bytes that could not be copied stay in the pipe.
	want := int(min(n, uint64(p.n)))
	done := 0
	for done < want {
		seg := ring(mem, p, p.r, want-done)
		k, e := usercopy.Out(env, buf+uint64(done), seg)
		p.r = (p.r + k) % p.size
		p.n -= k
		done += k
		if e != 0 {
			if done == 0 {
				return 0, e
			}
			break
		}
	}
	p.seq = NextSeq()
	env.Notify()
	return uint64(done), 0
}

// PipeWrite buffers bytes from buf, waiting while the pipe is full. It
// returns the bytes buffered and the errno that stopped it short, even
// when some were: EPIPE, once no reader is left, is the caller's cue to
// raise SIGPIPE whatever was written, as on Linux.
//
// Context: kernel (no allocation, no pointer stores).
func PipeWrite[E Env, M Pages](env E, mem M, p *Pipe, buf, n uint64, nonblock bool) (uint64, unix.Errno) {
	done := uint64(0)
	for done < n {
		if e := AwaitRoom(env, p, nonblock); e != 0 {
			return done, e
		}
		// Each piece is copied from the caller's memory as it is after
		// the last wait, straight into the ring.
		room := ring(mem, p, p.r+p.n, int(min(uint64(p.size-p.n), n-done)))
		k, e := usercopy.In(env, room, buf+done)
		p.n += k
		done += uint64(k)
		if k > 0 {
			p.seq = NextSeq()
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
		if p.n < p.size {
			ev |= unix.EPOLLOUT | unix.EPOLLWRNORM
		}
		if p.readers == 0 {
			ev |= unix.EPOLLERR
		}
	}
	return ev, p.seq
}

// ClosePipe drops one description of an end; the pipe is free, and its
// pages back in mem, once both ends are closed. The caller notifies
// waiters.
//
// Context: kernel (no allocation, no pointer stores).
func ClosePipe[M Pages](mem M, p *Pipe, reader bool) {
	if reader {
		p.readers--
	} else {
		p.writers--
	}
	p.seq = NextSeq()
	freeIdle(mem, p)
}

// freeIdle frees p, giving its pages back to mem, once no end is open.
//
// Context: kernel (no allocation, no pointer stores).
func freeIdle[M Pages](mem M, p *Pipe) {
	if p.readers == 0 && p.writers == 0 {
		freeRing(mem, p)
		p.Used = false
	}
}
