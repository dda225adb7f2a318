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
	want := min(len(b), p.n-off)
	done := 0
	for done < want {
		done += copy(b[done:want], ring(mem, p, p.r+off+done, want-done))
	}
	return done
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
		k := copy(ring(mem, p, p.r+p.n, min(p.size-p.n, len(b)-done)), b[done:])
		p.n += k
		done += k
	}
	if done > 0 {
		p.seq++
	}
	return done
}
