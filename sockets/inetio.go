package sockets

import (
	"bytes"
	"io"

	"golang.org/x/sys/unix"
	"gvisor.dev/gvisor/pkg/tcpip"
)

// send writes b. A blocking stream write waits until all of b is queued;
// after an error or timeout part-way, the count so far is the result.
func (s *inetSocket) send(l *Layer, b, to []byte, flags int, blk block) (int, unix.Errno) {
	return s.sendFrom(l, &bytesPayload{b: b}, to, flags, blk)
}

// sendFrom is send of what p holds.
func (s *inetSocket) sendFrom(l *Layer, p payload, to []byte, flags int, blk block) (int, unix.Errno) {
	opts := tcpip.WriteOptions{More: flags&unix.MSG_MORE != 0, EndOfRecord: flags&unix.MSG_EOR != 0}
	if len(to) > 0 && !s.stream() {
		fa, e := s.address(to, false)
		if e != 0 {
			return 0, e
		}
		opts.To = &fa
	}
	var total int
	e := l.wait(s, waitOut, blk, timeout(&s.sndTimeo), func() unix.Errno {
		p.from(total)
		n, err := s.ep.Write(p, opts)
		total += int(n)
		switch err.(type) {
		case nil:
			if blk.ok && s.stream() && total < p.size() {
				return unix.EAGAIN
			}
			return 0
		case *tcpip.ErrWouldBlock:
			if total > 0 && !blk.ok {
				return 0
			}
			return unix.EAGAIN
		}
		return errnoOf(err)
	})
	if total > 0 {
		return total, 0
	}
	return 0, e
}

// recv reads into b: MSG_PEEK, MSG_TRUNC (datagrams: the full length;
// streams: discard), MSG_WAITALL (streams: fill b).
func (s *inetSocket) recv(l *Layer, b []byte, flags int, blk block, wantFrom bool) (recvResult, unix.Errno) {
	w := tcpip.SliceWriter(b)
	return s.recvTo(l, &w, len(b), flags, blk, wantFrom)
}

// recvTo is recv into w, which takes n bytes.
func (s *inetSocket) recvTo(l *Layer, w io.Writer, n int, flags int, blk block, wantFrom bool) (recvResult, unix.Errno) {
	switch {
	case flags&unix.MSG_OOB != 0:
		return recvResult{}, unix.EINVAL // out-of-band data is inline
	case flags&unix.MSG_ERRQUEUE != 0:
		return recvResult{}, unix.EAGAIN // no error queue
	}
	waitAll := flags&(unix.MSG_WAITALL|unix.MSG_PEEK|unix.MSG_TRUNC) == unix.MSG_WAITALL && s.stream()
	var res recvResult
	e := l.wait(s, waitIn, blk, timeout(&s.rcvTimeo), func() unix.Errno {
		r, e := s.readOnce(w, n-res.n, flags, wantFrom)
		if e != 0 {
			return e
		}
		got := res.n
		res = r
		res.n += got
		res.ret += got
		if waitAll && blk.ok && r.n > 0 && res.n < n {
			return unix.EAGAIN
		}
		return 0
	})
	if res.n > 0 {
		e = 0 // MSG_WAITALL ended early: what came so far
	}
	return res, e
}

// readOnce is one non-blocking read into w, which takes n bytes. End of
// stream is a zero count.
func (s *inetSocket) readOnce(w io.Writer, n int, flags int, wantFrom bool) (recvResult, unix.Errno) {
	peek, trunc := flags&unix.MSG_PEEK != 0, flags&unix.MSG_TRUNC != 0
	opts := tcpip.ReadOptions{Peek: peek, NeedRemoteAddr: wantFrom && !s.stream()}
	if s.stream() && trunc {
		return s.discard(n, opts)
	}
	if s.stream() && n == 0 {
		return recvResult{}, 0
	}
	res, err := s.ep.Read(w, opts)
	switch err.(type) {
	case nil:
	case *tcpip.ErrClosedForReceive:
		return recvResult{}, 0
	case *tcpip.ErrBadBuffer:
		if n != 0 {
			return recvResult{}, unix.EFAULT
		}
	default:
		return recvResult{}, errnoOf(err)
	}
	out := recvResult{n: res.Count, ret: res.Count}
	if s.stream() {
		if !peek && res.Count > 0 {
			s.ep.ModerateRecvBuf(res.Count)
		}
		return out, 0
	}
	if res.Total > res.Count {
		out.flags |= unix.MSG_TRUNC
	}
	if trunc {
		out.ret = res.Total
	}
	if opts.NeedRemoteAddr {
		out.from = encodeInet(s.family, res.RemoteAddr)
	}
	return out, 0
}

// discard is MSG_TRUNC on a stream: drop up to n bytes (or, with
// MSG_PEEK, count them) without copying.
func (s *inetSocket) discard(n int, opts tcpip.ReadOptions) (recvResult, unix.Errno) {
	if opts.Peek {
		q, err := s.ep.GetSockOptInt(tcpip.ReceiveQueueSizeOption)
		if err != nil {
			return recvResult{}, errnoOf(err)
		}
		if q == 0 {
			return recvResult{}, unix.EAGAIN
		}
		return recvResult{ret: min(n, q)}, 0
	}
	res, err := s.ep.Read(&tcpip.LimitedWriter{W: io.Discard, N: int64(n)}, opts)
	switch err.(type) {
	case nil:
	case *tcpip.ErrClosedForReceive:
		return recvResult{}, 0
	default:
		return recvResult{}, errnoOf(err)
	}
	return recvResult{ret: res.Count}, 0
}

// payload is what a send writes, which netstack's Write reads into its
// own buffers. A write may read more than it takes, so each write starts
// again from where the bytes taken so far end.
type payload interface {
	tcpip.Payloader
	from(done int)
	// size is the bytes a send of the whole takes.
	size() int
}

// bytesPayload is the bytes of a buffer.
type bytesPayload struct {
	bytes.Reader
	b []byte
}

func (p *bytesPayload) from(done int) { p.Reset(p.b[done:]) }
func (p *bytesPayload) size() int     { return len(p.b) }

// pipePayload is n bytes of a splice's pipe from off, which the kernel
// holds for the splice, read by the kernel straight into netstack's
// buffers: no staging copy. netstack reads exactly Len bytes, so the
// pipe must have them all.
type pipePayload struct {
	c      caller
	file   int32
	off, n int        // where the payload starts and its bytes
	next   int        // bytes of it read so far
	e      unix.Errno // the read that failed
}

func (p *pipePayload) from(done int) { p.next = done }
func (p *pipePayload) size() int     { return p.n }
func (p *pipePayload) Len() int      { return p.n - p.next }

func (p *pipePayload) Read(b []byte) (int, error) {
	switch {
	case p.next == p.n:
		return 0, io.EOF
	case len(b) == 0:
		return 0, nil
	}
	k, e := p.c.ReadFile(p.file, int64(p.off+p.next), b[:min(len(b), p.n-p.next)])
	p.next += k
	if e == 0 && k == 0 {
		// Fewer bytes than held: netstack would ask for them forever.
		e = unix.EIO
	}
	if e != 0 {
		p.e = e
		return k, e
	}
	return k, nil
}
