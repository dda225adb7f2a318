package files

// splice(2)'s side of pipes: bytes move between a pipe's ring and the
// kernel's own buffers, where the other end is a file or the socket
// layer, not the caller's memory. The kernel waits with AwaitData and
// AwaitRoom first, holds the pipe (Pipe.Held) while the socket layer
// works, and notifies waiters after moving bytes.

// Room is the bytes p can take before it is full.
func (p *Pipe) Room() int { return p.size - p.n }

// PipePeek copies up to len(b) buffered bytes, from off bytes past the
// read position, into b without consuming them, and returns the count.
//
// Context: kernel (no allocation, no pointer stores).
func PipePeek[M Pages](mem M, p *Pipe, off int, b []byte) int {
	done := 0
	for done < len(b) {
		k := copy(b[done:], PipeBytes(mem, p, off+done, len(b)-done))
		if k == 0 {
			break
		}
		done += k
	}
	return done
}

// PipeBytes is the run of p's buffered bytes from off bytes past the
// read position, at most max and within one page of the ring: a copy
// out of the pipe takes them in place, and an empty run means none are
// left.
//
// Context: kernel (no allocation, no pointer stores).
func PipeBytes[M Pages](mem M, p *Pipe, off, max int) []byte {
	if off >= p.n {
		return nil
	}
	return ring(mem, p, p.r+off, min(max, p.n-off))
}

// PipeSpace is the run of p's free ring at its write end, at most max
// bytes and within one page: a copy into the pipe fills it in place
// and buffers what it filled with PipeFilled.
//
// Context: kernel (no allocation, no pointer stores).
func PipeSpace[M Pages](mem M, p *Pipe, max int) []byte {
	return ring(mem, p, p.r+p.n, min(max, p.size-p.n))
}

// PipeFilled buffers the first n bytes of PipeSpace's run.
//
// Context: kernel (no allocation, no pointer stores).
func PipeFilled(p *Pipe, n int) {
	if n > 0 {
		p.n += n
		p.seq++
	}
}

// PipeDrop consumes n buffered bytes (at most those buffered), as a read
// of them would.
//
// Context: kernel (no allocation, no pointer stores).
func PipeDrop(p *Pipe, n int) {
	n = min(n, p.n)
	p.r = (p.r + n) % p.size
	p.n -= n
	p.seq++
}

// PipeAppend buffers what fits of b and returns the count.
//
// Context: kernel (no allocation, no pointer stores).
func PipeAppend[M Pages](mem M, p *Pipe, b []byte) int {
	done := 0
	for done < len(b) && p.n < p.size {
		k := copy(PipeSpace(mem, p, len(b)-done), b[done:])
		PipeFilled(p, k)
		done += k
	}
	return done
}
