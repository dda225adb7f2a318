package sockets

import (
	"golang.org/x/sys/unix"
	"gvisor.dev/gvisor/pkg/tcpip"

	"warren.dev/kernel/sockabi"
)

// Handlers that move data: read, write and their vector forms, and the
// send/recv family. Data passes through one staging buffer per call, or
// none for a call Direct serves (ioBuf).

// ioLen caps a byte count: a datagram larger than maxIO cannot be sent
// whole, a stream moves part of it.
func ioLen(s socket, n uint64, send bool) (int, unix.Errno) {
	if n <= maxIO {
		return int(n), 0
	}
	if send && s.state().stype != unix.SOCK_STREAM {
		return 0, unix.EMSGSIZE
	}
	return maxIO, 0
}

// sendBuf sends the n bytes at addr.
func (l *Layer) sendBuf(r *call, addr, n uint64, flags int, to []byte) (uint64, unix.Errno) {
	s, e := l.sock(r)
	if e != 0 {
		return 0, e
	}
	return l.sendIov(s, r, []iovec{{addr, n}}, flags, to, nil)
}

// sendIov sends the bytes iov spans; rights are SCM_RIGHTS descriptors in
// flight for a unix socket, dropped if the send does not take them.
func (l *Layer) sendIov(s socket, r *call, iov []iovec, flags int, to []byte, rights []int32) (uint64, unix.Errno) {
	defer func() { putRights(l.k, rights) }()
	var total uint64
	for _, v := range iov {
		total += v.len
	}
	n, e := ioLen(s, total, true)
	if e != 0 {
		return 0, e
	}
	buf, inPlace := ioBuf(r, iov, n)
	defer buf.free()
	if !inPlace {
		if e := gather(l.caller(r), iov, buf.b); e != 0 {
			return 0, e
		}
	}
	return l.sendStaged(s, r, buf.b, flags, to, &rights)
}

// ioBuf returns the memory the first n bytes of iov move through, and
// whether it is the caller's own. A call Direct serves with one buffer
// uses it in place, saving a copy: the caller shares the layer's address
// space, and no send or receive keeps b past the call.
func ioBuf(r *call, iov []iovec, n int) (staging, bool) {
	if r.direct != nil && len(iov) == 1 && n > 0 {
		if b, e := r.direct.span(iov[0].base, n); e == 0 {
			return staging{b: b}, true
		}
	}
	return stage(n), false
}

// sendStaged sends b, staged in the layer's memory.
func (l *Layer) sendStaged(s socket, r *call, b []byte, flags int, to []byte, rights *[]int32) (uint64, unix.Errno) {
	var (
		sent int
		e    unix.Errno
		blk  = l.blocking(r, flags)
	)
	if us, ok := s.(*unixSocket); ok {
		sent, e = us.sendRights(l, b, to, flags, blk, rights, r.PID)
	} else {
		sent, e = s.send(l, b, to, flags, blk)
	}
	if s.state().stype != unix.SOCK_STREAM {
		l.syncUnbound(s) // a first datagram binds the socket
	}
	if e != 0 {
		return 0, e
	}
	return uint64(sent), 0
}

// recvIov receives into iov; the sender's address comes back when
// wantFrom. Descriptors received (SCM_RIGHTS) come back when control is
// set, and are closed otherwise, as when Linux's caller gives no control
// buffer.
func (l *Layer) recvIov(s socket, r *call, iov []iovec, flags int, wantFrom, control bool) (recvResult, unix.Errno) {
	n, _ := ioLen(s, uint64(ioSize(iov)), false)
	buf, inPlace := ioBuf(r, iov, n)
	defer buf.free()
	res, e := s.recv(l, buf.b, flags, l.blocking(r, flags), wantFrom)
	if e == 0 {
		// The read may have emptied the queue: keep level-triggered
		// pollers from waking for nothing.
		l.report(s)
		if !inPlace {
			e = scatter(l.caller(r), iov, buf.b[:res.n])
		}
	}
	if (e != 0 || !control) && !res.peeked {
		putRights(l.k, res.rights)
	}
	if e != 0 {
		return recvResult{}, e
	}
	return res, 0
}

// read(fd, buf, count)
func sysRead(l *Layer, r *call) (uint64, unix.Errno) {
	s, e := l.sock(r)
	if e != 0 {
		return 0, e
	}
	res, e := l.recvIov(s, r, []iovec{{r.Args[1], r.Args[2]}}, 0, false, false)
	if e != 0 {
		return 0, e
	}
	return uint64(res.ret), 0
}

// write(fd, buf, count)
func sysWrite(l *Layer, r *call) (uint64, unix.Errno) {
	return l.sendBuf(r, r.Args[1], r.Args[2], 0, nil)
}

// sendfile(out_fd, in_fd, offset, count), as the kernel forwards it
// (sockabi): the file's bytes from the offset, read through the kernel,
// are written to the socket.
func sysSendfile(l *Layer, r *call) (uint64, unix.Errno) {
	s, e := l.sock(r)
	if e != 0 {
		return 0, e
	}
	return l.sendFile(s, r, int32(r.Args[1]), int64(r.Args[2]), r.Args[3], 0)
}

// sendFile sends up to n bytes (at most maxIO) of the kernel's open file
// (a sendfile's source, a splice's pipe) from off.
func (l *Layer) sendFile(s socket, r *call, file int32, off int64, n uint64, flags int) (uint64, unix.Errno) {
	k, e := ioLen(s, n, true)
	if e != 0 {
		return 0, e
	}
	buf := stage(k)
	defer buf.free()
	k, e = l.caller(r).ReadFile(file, off, buf.b)
	if e != 0 || k == 0 {
		return 0, e
	}
	return l.sendStaged(s, r, buf.b[:k], flags, nil, nil)
}

// sendPipe sends up to n bytes of a splice's pipe from off; the pipe
// holds them. A TCP socket's netstack reads them into its own buffers
// through the kernel, as many as it takes; other sockets send as
// sendFile.
func (l *Layer) sendPipe(s socket, r *call, file int32, off int64, n uint64, flags int) (uint64, unix.Errno) {
	is, ok := s.(*inetSocket)
	if !ok || !is.stream() {
		return l.sendFile(s, r, file, off, n, flags)
	}
	p := pipePayload{c: l.caller(r), file: file, off: int(off), n: int(n)}
	sent, e := is.sendFrom(l, &p, nil, flags, l.blocking(r, flags))
	if sent == 0 && p.e != 0 {
		return 0, p.e
	}
	return uint64(sent), e
}

// recvToPipe receives up to n bytes and buffers them in the kernel's pipe
// file, which has room for n: a TCP socket's netstack writes them from
// its own buffers through the kernel, other sockets receive at most
// maxIO into a staging buffer first.
func (l *Layer) recvToPipe(s socket, r *call, file int32, n uint64, flags int) (uint64, unix.Errno) {
	if is, ok := s.(*inetSocket); ok && is.stream() {
		w := pipeWriter{c: l.caller(r), file: file}
		res, e := is.recvTo(l, &tcpip.LimitedWriter{W: &w, N: int64(n)}, int(n), flags, l.blocking(r, flags), false)
		if res.n == 0 && w.e != 0 {
			return 0, w.e
		}
		if e == 0 {
			l.report(s) // the read may have emptied the queue, as recvIov's
		}
		return uint64(res.n), e
	}
	k, _ := ioLen(s, n, false)
	buf := stage(k)
	defer buf.free()
	res, e := s.recv(l, buf.b, flags, l.blocking(r, flags), false)
	putRights(l.k, res.rights) // a splice takes no control messages
	if e != 0 {
		return 0, e
	}
	l.report(s) // the read may have emptied the queue, as recvIov's
	k, e = l.caller(r).WritePipe(file, buf.b[:res.n])
	return uint64(k), e
}

// pipeWriter buffers what netstack writes in a splice's pipe.
type pipeWriter struct {
	c    caller
	file int32
	e    unix.Errno // the write that failed
}

func (w *pipeWriter) Write(b []byte) (int, error) {
	k, e := w.c.WritePipe(w.file, b)
	if e != 0 {
		w.e = e
		return k, e
	}
	return k, nil
}

// splice(fd, file, count, dir), as the kernel forwards it (sockabi):
// between the socket and a pipe, whose bytes are read through the kernel
// and taken from it by the count sent, or which the kernel made room in
// for count bytes received. It moves in steps (a TCP socket's what
// netstack takes or has, other sockets' at most maxIO): the first may
// block, the others take only what is there at once, as Linux's splice
// returns what it could move.
func sysSplice(l *Layer, r *call) (uint64, unix.Errno) {
	s, e := l.sock(r)
	if e != 0 {
		return 0, e
	}
	file, count, toSocket := int32(r.Args[1]), r.Args[2], r.Args[3] == sockabi.SpliceToSocket
	if !toSocket && r.Args[3] != sockabi.SpliceFromSocket {
		return 0, unix.EINVAL
	}
	var done uint64
	for flags := 0; done < count; flags = unix.MSG_DONTWAIT {
		var n uint64
		if toSocket {
			n, e = l.sendPipe(s, r, file, int64(done), count-done, flags)
		} else {
			n, e = l.recvToPipe(s, r, file, count-done, flags)
		}
		if e != 0 || n == 0 {
			break
		}
		done += n
	}
	if done == 0 {
		return 0, e
	}
	return done, 0
}

// pread64 and pwrite64: sockets have no offsets.
func sysPread(l *Layer, r *call) (uint64, unix.Errno) {
	if _, e := l.sock(r); e != 0 {
		return 0, e
	}
	return 0, unix.ESPIPE
}

// readv(fd, iov, iovcnt)
func sysReadv(l *Layer, r *call) (uint64, unix.Errno) {
	s, e := l.sock(r)
	if e != 0 {
		return 0, e
	}
	iov, e := readIovecs(l.caller(r), r.Args[1], r.Args[2])
	if e != 0 {
		return 0, e
	}
	res, e := l.recvIov(s, r, iov, 0, false, false)
	if e != 0 {
		return 0, e
	}
	return uint64(res.ret), 0
}

// writev(fd, iov, iovcnt)
func sysWritev(l *Layer, r *call) (uint64, unix.Errno) {
	s, e := l.sock(r)
	if e != 0 {
		return 0, e
	}
	iov, e := readIovecs(l.caller(r), r.Args[1], r.Args[2])
	if e != 0 {
		return 0, e
	}
	return l.sendIov(s, r, iov, 0, nil, nil)
}

// sendto(fd, buf, len, flags, dest_addr, addrlen)
func sysSendto(l *Layer, r *call) (uint64, unix.Errno) {
	var to []byte
	if r.Args[4] != 0 {
		var e unix.Errno
		if to, e = readSockaddr(l.caller(r), r.Args[4], r.Args[5]); e != 0 {
			return 0, e
		}
	}
	return l.sendBuf(r, r.Args[1], r.Args[2], i32(r.Args[3]), to)
}

// recvfrom(fd, buf, len, flags, src_addr, addrlen)
func sysRecvfrom(l *Layer, r *call) (uint64, unix.Errno) {
	s, e := l.sock(r)
	if e != 0 {
		return 0, e
	}
	addr, lenAddr := r.Args[4], r.Args[5]
	res, e := l.recvIov(s, r, []iovec{{r.Args[1], r.Args[2]}}, i32(r.Args[3]), addr != 0, false)
	if e != 0 {
		return 0, e
	}
	if addr != 0 {
		if e := writeSockaddr(l.caller(r), res.from, addr, lenAddr); e != 0 {
			return 0, e
		}
	}
	return uint64(res.ret), 0
}

// sendmsg(fd, msg, flags): control messages are read on unix sockets
// (rights.go) and ignored on others.
func sysSendmsg(l *Layer, r *call) (uint64, unix.Errno) {
	s, e := l.sock(r)
	if e != 0 {
		return 0, e
	}
	return l.sendmsg(s, r, r.Args[1], i32(r.Args[2]))
}

func (l *Layer) sendmsg(s socket, r *call, addr uint64, flags int) (uint64, unix.Errno) {
	c := l.caller(r)
	m, e := readMsghdr(c, addr)
	if e != 0 {
		return 0, e
	}
	var to []byte
	if m.name != 0 && m.namelen != 0 {
		if to, e = readSockaddr(c, m.name, uint64(m.namelen)); e != 0 {
			return 0, e
		}
	}
	iov, e := readIovecs(c, m.iov, m.iovlen)
	if e != 0 {
		return 0, e
	}
	var rights []int32
	if _, ok := s.(*unixSocket); ok {
		if rights, e = readRights(c, m); e != 0 {
			return 0, e
		}
	}
	return l.sendIov(s, r, iov, flags, to, rights)
}

// recvmsg(fd, msg, flags): control messages come back from unix
// sockets (SCM_RIGHTS).
func sysRecvmsg(l *Layer, r *call) (uint64, unix.Errno) {
	s, e := l.sock(r)
	if e != 0 {
		return 0, e
	}
	return l.recvmsg(s, r, r.Args[1], i32(r.Args[2]))
}

func (l *Layer) recvmsg(s socket, r *call, addr uint64, flags int) (uint64, unix.Errno) {
	c := l.caller(r)
	m, e := readMsghdr(c, addr)
	if e != 0 {
		return 0, e
	}
	if int32(m.namelen) < 0 {
		return 0, unix.EINVAL
	}
	iov, e := readIovecs(c, m.iov, m.iovlen)
	if e != 0 {
		return 0, e
	}
	res, e := l.recvIov(s, r, iov, flags, m.name != 0, true)
	if e != 0 {
		return 0, e
	}
	var controlLen uint64
	if len(res.rights) > 0 || res.cred {
		var f int
		controlLen, f, e = writeControl(c, m, res, flags&unix.MSG_CMSG_CLOEXEC != 0)
		if e != 0 {
			return 0, e
		}
		res.flags |= f
	}
	if m.name != 0 {
		n := min(int(m.namelen), len(res.from))
		if e := c.CopyOut(m.name, res.from[:n]); e != 0 {
			return 0, e
		}
		if e := putU32(c, addr+msgNamelenOff, uint32(len(res.from))); e != 0 {
			return 0, e
		}
	}
	if e := putU64(c, addr+msgControllenOff, controlLen); e != 0 {
		return 0, e
	}
	// Linux's msg_flags echo MSG_CMSG_CLOEXEC.
	if e := putU32(c, addr+msgFlagsOff, uint32(res.flags|flags&unix.MSG_CMSG_CLOEXEC)); e != 0 {
		return 0, e
	}
	return uint64(res.ret), 0
}

// sendmmsg(fd, msgvec, vlen, flags)
func sysSendmmsg(l *Layer, r *call) (uint64, unix.Errno) {
	return mmsg(l, r, false)
}

// recvmmsg(fd, msgvec, vlen, flags, timeout): the timeout is ignored.
func sysRecvmmsg(l *Layer, r *call) (uint64, unix.Errno) {
	return mmsg(l, r, true)
}

// mmsg runs sendmsg or recvmsg over each struct mmsghdr, storing
// msg_len; after the first message, errors end the batch.
func mmsg(l *Layer, r *call, recv bool) (uint64, unix.Errno) {
	s, e := l.sock(r)
	if e != 0 {
		return 0, e
	}
	vec, vlen, flags := r.Args[1], min(r.Args[2], maxIovecs), i32(r.Args[3])
	var i uint64
	for ; i < vlen; i++ {
		at := vec + i*sizeofMmsghdr
		var n uint64
		if recv {
			n, e = l.recvmsg(s, r, at, flags)
			if flags&unix.MSG_WAITFORONE != 0 {
				flags |= unix.MSG_DONTWAIT
			}
		} else {
			n, e = l.sendmsg(s, r, at, flags)
		}
		if e == 0 {
			e = putU32(l.caller(r), at+sizeofMsghdr, uint32(n))
		}
		if e != 0 {
			break
		}
	}
	if i > 0 {
		return i, 0
	}
	return 0, e
}
