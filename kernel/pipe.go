package kernel

import (
	"golang.org/x/sys/unix"

	"warren.dev/fs/tmpfs"
	"warren.dev/kernel/cpu"
	"warren.dev/kernel/files"
)

// Pipes (files.Pipe): the read end and write end are two open file
// descriptions of kind kindPipe told apart by their access mode.
//
// A pipe's ring is four frames taken when it is made, so pipes are
// bounded by memory, the table of open file descriptions and each
// process's share (shareAllowed), not by a small table: every pipe in
// use holds a description of an end, so a table as long as the
// descriptions' never runs out first. An entry costs under 100 bytes.

const maxPipes = maxFiles

var pipes [maxPipes]files.Pipe

// pipeMem gives pipes frames; a process's pipes leave the program its
// reserve of free frames (limits.go).
type pipeMem struct{}

// Context: kernel (no allocation, no pointer stores).
func (pipeMem) AllocPage() (uint64, bool) {
	if curProc() != 0 && physFrames.Stats().Free <= reserveFrames {
		return 0, false
	}
	return physFrames.Alloc()
}

// Context: kernel (no allocation, no pointer stores).
func (pipeMem) FreePage(pa uint64) { physFrames.Free(pa) }

// Context: kernel (no allocation, no pointer stores).
func (pipeMem) Page(pa uint64) *[files.PageSize]byte {
	return (*[files.PageSize]byte)(physBytes(pa, files.PageSize))
}

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
	i, e := freePipe()
	if e != 0 {
		return 0, e
	}
	p := &pipes[i]
	if !files.OpenPipe(pipeMem{}, p, curProc()) {
		return 0, unix.ENFILE // out of memory, as Linux's pipe2 says it
	}
	pipeFifo[i] = tmpfs.None
	// Each end's description, once made, owns the end: releasing it
	// closes the end.
	keep := flags & unix.O_NONBLOCK
	rf, e := newFile(kindPipe, i, keep|unix.O_RDONLY)
	if e != 0 {
		closePipeEnds(i, unix.O_RDWR)
		return 0, e
	}
	wf, e := newFile(kindPipe, i, keep|unix.O_WRONLY)
	if e != 0 {
		closePipeEnds(i, unix.O_WRONLY)
		releaseFile(rf)
		return 0, e
	}
	cloexec := flags&unix.O_CLOEXEC != 0
	rfd, e := installFD(rf, 0, cloexec)
	if e != 0 {
		releaseFile(wf)
		return 0, e
	}
	wfd, e := installFD(wf, 0, cloexec)
	if e != 0 {
		closeFD(uint64(rfd))
		return 0, e
	}
	store32(fds, uint32(rfd))
	store32(fds+4, uint32(wfd))
	return 0, 0
}

func sysPipe(f *cpu.TrapFrame) (uint64, unix.Errno) {
	f.RSI = 0
	return sysPipe2(f)
}

// freePipe finds a pipe not in use that the caller may take.
//
// Context: kernel (no allocation, no pointer stores).
func freePipe() (int32, unix.Errno) {
	if !shareAllowed(maxPipes, func(i int) (int32, bool) { return pipes[i].Owner, pipes[i].Used }) {
		return 0, unix.ENFILE
	}
	for i := int32(0); i < maxPipes; i++ {
		if !pipes[i].Used {
			return i, 0
		}
	}
	return 0, unix.ENFILE
}

// pipeRead reads from a pipe's read end.
//
// Context: kernel (no allocation, no pointer stores).
func pipeRead(of *openFile, buf, n uint64) (uint64, unix.Errno) {
	done, e := files.PipeRead(callerEnv(), pipeMem{}, &pipes[of.obj], buf, n, of.nonblocking())
	return done, restartable(e)
}

// pipeWrite writes to a pipe's write end, raising SIGPIPE once no reader
// is left.
//
// Context: kernel (no allocation, no pointer stores).
func pipeWrite(of *openFile, buf, n uint64) (uint64, unix.Errno) {
	done, e := files.PipeWrite(callerEnv(), pipeMem{}, &pipes[of.obj], buf, n, of.nonblocking())
	done, e = transferred(done, pipeBroken(e))
	return done, restartable(e)
}

// pipeBroken raises SIGPIPE on the caller when a write to a pipe failed
// with EPIPE, and returns e.
func pipeBroken(e unix.Errno) unix.Errno {
	if e == unix.EPIPE {
		threads[cur].sigPending |= 1 << (unix.SIGPIPE - 1)
	}
	return e
}

// pipeReader reports whether a pipe description is the read end.
func pipeReader(of *openFile) bool { return of.flags&unix.O_ACCMODE == unix.O_RDONLY }

// pipePoll is a pipe description's readiness: a FIFO opened O_RDWR is
// both ends.
//
// Context: kernel (no allocation, no pointer stores).
func pipePoll(of *openFile) (uint32, uint64) {
	p := &pipes[of.obj]
	if of.flags&unix.O_ACCMODE != unix.O_RDWR {
		return p.Poll(pipeReader(of))
	}
	r, seq := p.Poll(true)
	w, _ := p.Poll(false)
	return r | w, seq
}

// pipeRelease drops the end (or, O_RDWR, both ends) of a pipe a
// description held, and a FIFO's open.
func pipeRelease(of *openFile) {
	if ino := pipeFifo[of.obj]; ino != tmpfs.None {
		tmp.Close(ino)
	}
	closePipeEnds(of.obj, of.flags&unix.O_ACCMODE)
	pollNotify()
}

// closePipeEnds closes the ends of pipe i that access mode acc holds.
//
// Context: kernel (no allocation, no pointer stores).
func closePipeEnds(i int32, acc uint32) {
	if acc != unix.O_WRONLY {
		files.ClosePipe(pipeMem{}, &pipes[i], true)
	}
	if acc != unix.O_RDONLY {
		files.ClosePipe(pipeMem{}, &pipes[i], false)
	}
}
