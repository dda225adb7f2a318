package kernel

import (
	"golang.org/x/sys/unix"

	"warren.dev/kernel/cpu"
	"warren.dev/kernel/files"
)

// Pipes (files.Pipe): the read end and write end are two open file
// descriptions of kind kindPipe told apart by their access mode.

const maxPipes = 32

var pipes [maxPipes]files.Pipe

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
	if !shareAllowed(maxPipes, func(i int) (int32, bool) { return pipes[i].Owner, pipes[i].Used }) {
		return 0, unix.ENFILE
	}
	for i := int32(0); i < maxPipes; i++ {
		p := &pipes[i]
		if p.Used {
			continue
		}
		p.Open(curProc())
		keep := flags & (unix.O_CLOEXEC | unix.O_NONBLOCK)
		rfd, e := openNew(kindPipe, i, keep|unix.O_RDONLY)
		if e != 0 {
			p.Used = false
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

// pipeRead reads from a pipe's read end.
//
// Context: kernel (no allocation, no pointer stores).
func pipeRead(of *openFile, buf, n uint64) (uint64, unix.Errno) {
	return files.PipeRead(callerEnv(), &pipes[of.obj], buf, n, of.nonblocking())
}

// pipeWrite writes to a pipe's write end, raising SIGPIPE once no reader
// is left.
//
// Context: kernel (no allocation, no pointer stores).
func pipeWrite(of *openFile, buf, n uint64) (uint64, unix.Errno) {
	done, e := files.PipeWrite(callerEnv(), &pipes[of.obj], buf, n, of.nonblocking())
	if e == unix.EPIPE {
		threads[cur].sigPending |= 1 << (unix.SIGPIPE - 1)
	}
	return transferred(done, e)
}

// pipeReader reports whether a pipe description is the read end.
func pipeReader(of *openFile) bool { return of.flags&unix.O_ACCMODE == unix.O_RDONLY }

// pipeRelease drops one end of a pipe.
func pipeRelease(of *openFile) {
	pipes[of.obj].Close(pipeReader(of))
	pollNotify()
}
