package kernel

import (
	"golang.org/x/sys/unix"

	"warren.dev/kernel/cpu"
	"warren.dev/kernel/files"
	"warren.dev/kernel/sockabi"
)

// splice and tee: bytes moved between a pipe and a socket, a file or
// another pipe without passing through the caller's memory. Between a
// pipe and a socket they go through the socket layer (sockabi.Rewritten):
// the kernel waits for bytes or room in the pipe, holds it (other reads
// and writes wait) and forwards; the layer reads the pipe's bytes with
// SysFileRead or fills it with SysPipeWrite. The program's own splice
// on a non-blocking socket is not forwarded: SysSpliceHold makes the
// same checks and waits and holds the pipe, the program serves the
// call itself and SysSpliceRelease ends the hold. Other pairs are copied here
// through copyBuf, at most a pipe's worth a call: callers loop on short
// counts, as Linux lets them. The pipe waits follow SPLICE_F_NONBLOCK;
// a socket blocks or not by its own O_NONBLOCK, as on Linux.

// spliceFlags are the flags splice and tee take; MOVE, MORE and GIFT
// are hints.
const spliceFlags = unix.SPLICE_F_MOVE | unix.SPLICE_F_NONBLOCK | unix.SPLICE_F_MORE | unix.SPLICE_F_GIFT

// spliceEnds looks up splice's or tee's descriptors: in must be
// readable, out writable (EBADF).
//
// Context: kernel (no allocation, no pointer stores).
func spliceEnds(inFD, outFD uint64) (in, out int32, e unix.Errno) {
	if in, e = fds().File(inFD); e != 0 {
		return 0, 0, e
	}
	if out, e = fds().File(outFD); e != 0 {
		return 0, 0, e
	}
	if openFiles[in].flags&unix.O_ACCMODE == unix.O_WRONLY || openFiles[out].flags&unix.O_ACCMODE == unix.O_RDONLY {
		return 0, 0, unix.EBADF
	}
	return in, out, 0
}

// sysSplice is splice(fd_in, off_in, fd_out, off_out, len, flags): one
// end a pipe (else EINVAL), whose offset must be NULL (ESPIPE); a file's
// offset works as sendfile's.
//
// Context: kernel (no allocation, no pointer stores).
func sysSplice(f *cpu.TrapFrame) (uint64, unix.Errno) { return splice(f, false) }

// sysSpliceHold is sockabi.SysSpliceHold: splice's arguments, checked
// and waited on as splice does, for a splice the program serves itself.
//
// Context: kernel (no allocation, no pointer stores).
func sysSpliceHold(f *cpu.TrapFrame) (uint64, unix.Errno) { return splice(f, true) }

// splice is sysSplice, or with hold sysSpliceHold, which instead of
// forwarding a splice between a pipe and a socket holds the pipe and
// returns it and the count, and refuses other pairs with ENOTSOCK.
//
// Context: kernel (no allocation, no pointer stores).
func splice(f *cpu.TrapFrame, hold bool) (uint64, unix.Errno) {
	offIn, offOut, count, flags := f.RSI, f.R10, min(f.R8, maxRWCount), f.R9
	if flags&^spliceFlags != 0 {
		return 0, unix.EINVAL
	}
	inF, outF, e := spliceEnds(f.RDI, f.RDX)
	if e != 0 {
		return 0, e
	}
	in, out := &openFiles[inF], &openFiles[outF]
	inPipe, outPipe := in.kind == kindPipe, out.kind == kindPipe
	switch {
	case !inPipe && !outPipe || out.flags&unix.O_APPEND != 0:
		return 0, unix.EINVAL
	case inPipe && offIn != 0 || outPipe && offOut != 0:
		return 0, unix.ESPIPE
	case hold && !nonblockingSocket(in) && !nonblockingSocket(out):
		return 0, unix.ENOTSOCK
	case inPipe && outPipe:
		return teePipes(in, out, count, flags, true)
	case count == 0:
		return 0, 0
	}
	nonblock := flags&unix.SPLICE_F_NONBLOCK != 0
	if inPipe {
		p := &pipes[in.obj]
		if ok, e := files.AwaitData(callerEnv(), p, count, nonblock); !ok {
			return 0, restartable(e)
		}
		count = min(count, uint64(p.Buffered()))
		switch {
		case out.kind == kindSocket && hold:
			return holdPipe(inF, count), 0
		case out.kind == kindSocket:
			return spliceSocket(f, inF, out, count, sockabi.SpliceToSocket)
		case out.kind == kindNull:
			files.PipeDrop(p, int(count))
			pollNotify()
			return count, 0
		case out.kind == kindTmpfs && regularFile(out):
			return pipeToTmp(p, out, offOut, count)
		}
		return 0, unix.EINVAL
	}
	p := &pipes[out.obj]
	if e := files.AwaitRoom(callerEnv(), p, nonblock); e != 0 {
		return 0, restartable(pipeBroken(e))
	}
	count = min(count, uint64(p.Room()))
	switch {
	case in.kind == kindSocket && hold:
		return holdPipe(outF, count), 0
	case in.kind == kindSocket:
		return spliceSocket(f, outF, in, count, sockabi.SpliceFromSocket)
	case regularFile(in):
		return fileToPipe(in, offIn, p, count)
	}
	return 0, unix.EINVAL
}

// sysTee is tee(fd_in, fd_out, len, flags): bytes of one pipe copied to
// another and left in the first.
//
// Context: kernel (no allocation, no pointer stores).
func sysTee(f *cpu.TrapFrame) (uint64, unix.Errno) {
	if f.R10&^spliceFlags != 0 {
		return 0, unix.EINVAL
	}
	in, out, e := spliceEnds(f.RDI, f.RSI)
	if e != 0 {
		return 0, e
	}
	if openFiles[in].kind != kindPipe || openFiles[out].kind != kindPipe {
		return 0, unix.EINVAL
	}
	return teePipes(&openFiles[in], &openFiles[out], min(f.RDX, maxRWCount), f.R10, false)
}

// teePipes copies up to count bytes from pipe in to pipe out, taking
// them from in when consume is set (splice) and leaving them (tee).
//
// Context: kernel (no allocation, no pointer stores).
func teePipes(in, out *openFile, count, flags uint64, consume bool) (uint64, unix.Errno) {
	src, dst := &pipes[in.obj], &pipes[out.obj]
	if src == dst {
		return 0, unix.EINVAL
	}
	nonblock := flags&unix.SPLICE_F_NONBLOCK != 0
	if ok, e := files.AwaitData(callerEnv(), src, count, nonblock); !ok {
		return 0, restartable(e)
	}
	if e := files.AwaitRoom(callerEnv(), dst, nonblock); e != 0 {
		return 0, restartable(pipeBroken(e))
	}
	n := int(min(count, uint64(src.Buffered()), uint64(dst.Room())))
	for done := 0; done < n; {
		k := files.PipePeek(pipeMem{}, src, done, copyBuf[:min(pageSize, n-done)])
		done += files.PipeAppend(pipeMem{}, dst, copyBuf[:k])
	}
	if consume {
		files.PipeDrop(src, n)
	}
	pollNotify()
	return uint64(n), 0
}

// pipeToTmp writes up to count buffered bytes of pipe p to tmpfs file
// out, at *offp or its position, and takes from the pipe what was
// written.
//
// Context: kernel (no allocation, no pointer stores).
func pipeToTmp(p *files.Pipe, out *openFile, offp, count uint64) (uint64, unix.Errno) {
	off, e := transferOffset(out, offp)
	if e != 0 {
		return 0, e
	}
	var done uint64
	for done < count {
		k := files.PipePeek(pipeMem{}, p, int(done), copyBuf[:min(pageSize, count-done)])
		var w int
		w, e = tmp.WriteAt(tmpIno(out), off+int64(done), copyBuf[:k])
		done += uint64(w)
		if e != 0 || w < k {
			break
		}
	}
	files.PipeDrop(p, int(done))
	pollNotify()
	return sent(out, off, offp, done, e)
}

// fileToPipe buffers up to count bytes of regular file in, from *offp or
// its position, in pipe p, which has room for them.
//
// Context: kernel (no allocation, no pointer stores).
func fileToPipe(in *openFile, offp uint64, p *files.Pipe, count uint64) (uint64, unix.Errno) {
	off, e := transferOffset(in, offp)
	if e != 0 {
		return 0, e
	}
	var done uint64
	for done < count {
		var k int
		k, e = fileReadAt(in, off+int64(done), copyBuf[:min(pageSize, count-done)])
		if e != 0 || k == 0 {
			break
		}
		done += uint64(files.PipeAppend(pipeMem{}, p, copyBuf[:k]))
	}
	pollNotify()
	return sent(in, off, offp, done, e)
}

// spliceSocket forwards a splice of count bytes between the pipe behind
// open file pf and socket sock in direction dir, holding the pipe (and
// its description) until the reply. Bytes sent to the socket leave the
// pipe then.
//
// Context: kernel (no allocation, no pointer stores).
func spliceSocket(f *cpu.TrapFrame, pf int32, sock *openFile, count uint64, dir uint64) (uint64, unix.Errno) {
	holdPipe(pf, count)
	call := *f
	call.RAX, call.RSI, call.RDX, call.R10 = unix.SYS_SPLICE, uint64(pf), count, dir
	if dir == sockabi.SpliceToSocket {
		call.RDI = f.RDX // the socket's descriptor first, as the layer reads it
	}
	n, e := forwardOn(sock, &call)
	releasePipe(pf, dir, n)
	return n, e
}

// nonblockingSocket reports whether of is a socket the program may serve
// a splice of itself: one that never makes it sleep.
//
// Context: kernel (no allocation, no pointer stores).
func nonblockingSocket(of *openFile) bool { return of.kind == kindSocket && of.nonblocking() }

// holdPipe holds the pipe behind open file pf, and the description, for
// a splice of count bytes, and returns SysSpliceHold's answer for it.
//
// Context: kernel (no allocation, no pointer stores).
func holdPipe(pf int32, count uint64) uint64 {
	openFiles[pf].refs++
	pipes[openFiles[pf].obj].Held = true
	return count<<32 | uint64(pf)
}

// releasePipe ends holdPipe's hold after a splice moved n bytes in
// direction dir: bytes sent to the socket leave the pipe.
//
// Context: kernel (no allocation, no pointer stores).
func releasePipe(pf int32, dir, n uint64) {
	p := &pipes[openFiles[pf].obj]
	p.Held = false
	if dir == sockabi.SpliceToSocket {
		files.PipeDrop(p, int(n))
	}
	pollNotify()
	releaseFile(pf)
}

// sysSpliceRelease is sockabi.SysSpliceRelease (file, dir, n): the
// program's own splice moved n bytes.
//
// Context: kernel (no allocation, no pointer stores).
func sysSpliceRelease(f *cpu.TrapFrame) (uint64, unix.Errno) {
	file, dir := f.RDI, f.RSI
	if file >= maxFiles || openFiles[file].refs == 0 || openFiles[file].kind != kindPipe ||
		!pipes[openFiles[file].obj].Held || dir != sockabi.SpliceFromSocket && dir != sockabi.SpliceToSocket {
		return 0, unix.EINVAL
	}
	releasePipe(int32(file), dir, f.RDX)
	return 0, 0
}

// sysPipeWrite is sockabi.SysPipeWrite (file, buf, n, id): the socket
// layer fills the pipe of the splice it serves for request id from its
// own memory, straight into the ring.
//
// Context: kernel (no allocation, no pointer stores).
func sysPipeWrite(f *cpu.TrapFrame) (uint64, unix.Errno) {
	if _, e := requestCaller(f.R10); e != 0 {
		return 0, e
	}
	file := f.RDI
	if file >= maxFiles || openFiles[file].refs == 0 || openFiles[file].kind != kindPipe {
		return 0, unix.EINVAL
	}
	p := &pipes[openFiles[file].obj]
	n := min(f.RDX, uint64(p.Room()))
	for done := uint64(0); done < n; {
		space := files.PipeSpace(pipeMem{}, p, int(n-done))
		if e := copyIn(space, f.RSI+done); e != 0 {
			return transferred(done, e)
		}
		files.PipeFilled(p, len(space))
		done += uint64(len(space))
	}
	return n, 0
}

// pipePeekOut copies up to n bytes buffered in pipe p, from off past its
// read position, to the caller's memory at buf, leaving them in the pipe
// (SysFileRead for a splice to a socket), from the ring in place.
//
// Context: kernel (no allocation, no pointer stores).
func pipePeekOut(p *files.Pipe, off int64, buf, n uint64) (uint64, unix.Errno) {
	var done uint64
	for done < n {
		b := files.PipeBytes(pipeMem{}, p, int(off)+int(done), int(min(n-done, maxRWCount)))
		if len(b) == 0 {
			break
		}
		if e := copyOut(buf+done, b); e != 0 {
			return transferred(done, e)
		}
		done += uint64(len(b))
	}
	return done, 0
}
