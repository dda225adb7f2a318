package kernel

import (
	"golang.org/x/sys/unix"

	"warren.dev/kernel/cpu"
	"warren.dev/kernel/files"
	"warren.dev/mm/usercopy"
)

// Descriptor system calls shared by every kind of file.

// sysRead reads from a descriptor.
//
// Context: kernel (no allocation, no pointer stores).
func sysRead(f *cpu.TrapFrame) (uint64, unix.Errno) {
	of, e := lookupFD(f.RDI)
	if e != 0 {
		return 0, e
	}
	return readAdvance(of, f.RSI, f.RDX)
}

// readAdvance reads at the file position and moves it past what was read.
func readAdvance(of *openFile, buf, n uint64) (uint64, unix.Errno) {
	done, e := readFile(of, buf, n, of.offset)
	if e == 0 && seekable(of) {
		of.offset += int64(done)
	}
	return done, e
}

// sysPread64 reads at an offset without moving the file position.
func sysPread64(f *cpu.TrapFrame) (uint64, unix.Errno) {
	of, e := lookupFD(f.RDI)
	if e != 0 {
		return 0, e
	}
	if !seekable(of) {
		return 0, unix.ESPIPE
	}
	if int64(f.R10) < 0 {
		return 0, unix.EINVAL
	}
	return readFile(of, f.RSI, f.RDX, int64(f.R10))
}

// readFile reads up to n bytes into user buffer buf at off (for kinds
// with positions).
//
// Context: kernel (no allocation, no pointer stores).
func readFile(of *openFile, buf, n uint64, off int64) (uint64, unix.Errno) {
	if of.flags&unix.O_ACCMODE == unix.O_WRONLY {
		return 0, unix.EBADF
	}
	if e := userRange(buf, n); e != 0 {
		return 0, e
	}
	switch of.kind {
	case kindConsole, kindNull:
		return 0, 0 // end of file: the console has no input for programs
	case kindZero:
		return transferred(usercopy.Visit(caller(), buf, n, true, func(b []byte) bool {
			clear(b)
			return true
		}))
	case kindRandom:
		if !haveRDRAND {
			return 0, unix.EIO
		}
		filled := uint64(0)
		_, e := usercopy.Visit(caller(), buf, min(n, 1<<20), true, func(b []byte) bool {
			if !fillRandom(b) {
				return false
			}
			filled += uint64(len(b))
			return true
		})
		if e == 0 && filled < min(n, 1<<20) {
			e = unix.EIO // the generator ran dry
		}
		return transferred(filled, e)
	case kindEventfd:
		return eventfdRead(of, buf, n)
	case kindPipe:
		return pipeRead(of, buf, n)
	case kindIRQ:
		return irqRead(of, buf, n)
	case kindEtc, kindCmdline, kindInitrdFile:
		data := fileData(of)
		if off >= int64(len(data)) {
			return 0, 0
		}
		return readOut(buf, n, data[off:])
	case kindInitrdDir:
		return 0, unix.EISDIR
	case kindTmpfs:
		return tmpRead(of, buf, n, off)
	}
	return 0, unix.EINVAL
}

// fileData is the contents of a file held whole in memory: a served
// /etc file, /proc/cmdline or an initrd file; nil for other kinds.
//
// Context: kernel (no allocation, no pointer stores).
func fileData(of *openFile) []byte {
	switch of.kind {
	case kindEtc:
		return etcFiles.Data(int(of.obj))
	case kindCmdline:
		return bootCmdline[:bootCmdlineLen]
	case kindInitrdFile:
		return initrdData(of.obj)
	}
	return nil
}

// readOut copies up to n bytes of a file's data to user buffer buf.
//
// Context: kernel (no allocation, no pointer stores).
func readOut(buf, n uint64, data []byte) (uint64, unix.Errno) {
	k, e := usercopy.Out(caller(), buf, data[:min(n, uint64(len(data)))])
	return transferred(uint64(k), e)
}

// sysWrite writes to a descriptor.
//
// Context: kernel (no allocation, no pointer stores).
func sysWrite(f *cpu.TrapFrame) (uint64, unix.Errno) {
	of, e := lookupFD(f.RDI)
	if e != 0 {
		return 0, e
	}
	return writeFile(of, f.RSI, f.RDX)
}

// writeFile writes n bytes from user buffer buf.
//
// Context: kernel (no allocation, no pointer stores).
func writeFile(of *openFile, buf, n uint64) (uint64, unix.Errno) {
	if of.flags&unix.O_ACCMODE == unix.O_RDONLY {
		return 0, unix.EBADF
	}
	if e := userRange(buf, n); e != 0 {
		return 0, e
	}
	switch of.kind {
	case kindConsole:
		return transferred(usercopy.Visit(caller(), buf, n, false, func(b []byte) bool {
			console.Write(b)
			return true
		}))
	case kindNull, kindZero, kindRandom:
		return n, 0
	case kindEventfd:
		return eventfdWrite(of, buf, n)
	case kindPipe:
		return pipeWrite(of, buf, n)
	case kindTmpfs:
		done, e := tmpWrite(of, buf, n, of.offset)
		if of.flags&unix.O_APPEND != 0 {
			of.offset = tmp.Size(tmpIno(of))
		} else {
			of.offset += int64(done)
		}
		return done, e
	}
	return 0, unix.EINVAL
}

// sysPwrite64 writes at an offset without moving the file position; of
// the seekable files only those of /tmp are writable.
//
// Context: kernel (no allocation, no pointer stores).
func sysPwrite64(f *cpu.TrapFrame) (uint64, unix.Errno) {
	of, e := lookupFD(f.RDI)
	switch {
	case e != 0:
		return 0, e
	case !seekable(of):
		return 0, unix.ESPIPE
	case int64(f.R10) < 0:
		return 0, unix.EINVAL
	case of.flags&unix.O_ACCMODE == unix.O_RDONLY:
		return 0, unix.EBADF
	}
	return tmpWrite(of, f.RSI, f.RDX, int64(f.R10))
}

// iovec arrays are read one entry at a time.
const maxIov = 1024

// sysReadv and sysWritev loop over an iovec array; a short transfer ends
// the call, as on Linux.
func sysReadv(f *cpu.TrapFrame) (uint64, unix.Errno)  { return vectorIO(f, false) }
func sysWritev(f *cpu.TrapFrame) (uint64, unix.Errno) { return vectorIO(f, true) }

func vectorIO(f *cpu.TrapFrame, write bool) (uint64, unix.Errno) {
	of, e := lookupFD(f.RDI)
	if e != 0 {
		return 0, e
	}
	iov, cnt := f.RSI, f.RDX
	if cnt > maxIov {
		return 0, unix.EINVAL
	}
	var total uint64
	for i := uint64(0); i < cnt; i++ {
		var b [16]byte
		if e := copyIn(b[:], iov+16*i); e != 0 {
			return total, e
		}
		base, n := le64(b[0:]), le64(b[8:])
		if n == 0 {
			continue
		}
		var done uint64
		if write {
			done, e = writeFile(of, base, n)
		} else {
			done, e = readAdvance(of, base, n)
		}
		if e != 0 {
			if total > 0 {
				return total, 0
			}
			return 0, e
		}
		total += done
		if done < n {
			break
		}
	}
	return total, 0
}

func seekable(of *openFile) bool {
	return of.kind == kindInitrdFile || of.kind == kindInitrdDir || of.kind == kindCmdline || of.kind == kindEtc || of.kind == kindTmpfs
}

// sysLseek moves the file position.
func sysLseek(f *cpu.TrapFrame) (uint64, unix.Errno) {
	of, e := lookupFD(f.RDI)
	if e != 0 {
		return 0, e
	}
	if !seekable(of) {
		return 0, unix.ESPIPE
	}
	off := int64(f.RSI)
	switch f.RDX {
	case unix.SEEK_SET:
	case unix.SEEK_CUR:
		off += of.offset
	case unix.SEEK_END:
		if of.kind == kindInitrdDir || of.kind == kindTmpfs && tmp.IsDir(tmpIno(of)) {
			return 0, unix.EINVAL
		}
		off += fileSize(of)
	default:
		return 0, unix.EINVAL
	}
	if off < 0 {
		return 0, unix.EINVAL
	}
	of.offset = off
	return uint64(off), 0
}

// sysClose closes a descriptor; a socket's last one waits for its release.
func sysClose(f *cpu.TrapFrame) (uint64, unix.Errno) { return 0, closeWait(f.RDI) }

// sysDup duplicates a descriptor to the lowest free number.
func sysDup(f *cpu.TrapFrame) (uint64, unix.Errno) {
	fd, e := files.Dup(descs{}, fds(), f.RDI, 0, fdLimit(curProc()), false)
	return uint64(fd), e
}

// sysDup3 duplicates oldfd onto newfd, closing what newfd had.
func sysDup3(f *cpu.TrapFrame) (uint64, unix.Errno) {
	oldfd, newfd, flags := f.RDI, f.RSI, f.RDX
	if flags&^unix.O_CLOEXEC != 0 || oldfd == newfd {
		return 0, unix.EINVAL
	}
	return files.DupTo(descs{}, fds(), oldfd, newfd, flags&unix.O_CLOEXEC != 0)
}

func sysDup2(f *cpu.TrapFrame) (uint64, unix.Errno) {
	if f.RDI == f.RSI {
		if _, e := lookupFD(f.RDI); e != 0 {
			return 0, e
		}
		return f.RSI, 0
	}
	return files.DupTo(descs{}, fds(), f.RDI, f.RSI, false)
}

// sysFcntl handles descriptor flags, status flags and duplication.
//
// Context: kernel (no allocation, no pointer stores).
func sysFcntl(f *cpu.TrapFrame) (uint64, unix.Errno) {
	fd, cmd, arg := f.RDI, f.RSI, f.RDX
	of, e := lookupFD(fd)
	if e != 0 {
		return 0, e
	}
	switch cmd {
	case unix.F_GETFD:
		if fds().CloseOnExec(fd) {
			return unix.FD_CLOEXEC, 0
		}
		return 0, 0
	case unix.F_SETFD:
		fds().SetCloseOnExec(fd, arg&unix.FD_CLOEXEC != 0)
		return 0, 0
	case unix.F_GETFL:
		return uint64(of.flags), 0
	case unix.F_SETFL:
		const settable = unix.O_NONBLOCK | unix.O_APPEND
		of.setFlags(of.flags&^settable | uint32(arg)&settable)
		return 0, 0
	case unix.F_DUPFD, unix.F_DUPFD_CLOEXEC:
		if arg >= maxFDs {
			return 0, unix.EINVAL
		}
		nfd, e := files.Dup(descs{}, fds(), fd, int(arg), fdLimit(curProc()), cmd == unix.F_DUPFD_CLOEXEC)
		return uint64(nfd), e
	case unix.F_GETPIPE_SZ, unix.F_SETPIPE_SZ:
		if of.kind != kindPipe {
			return 0, unix.EBADF
		}
		p := &pipes[of.obj]
		if cmd == unix.F_GETPIPE_SZ {
			return uint64(p.Size()), 0
		}
		n, e := files.PipeResize(pipeMem{}, p, uint64(uint32(arg)))
		pollNotify() // room may have come or gone
		return uint64(n), e
	}
	return 0, unix.EINVAL
}

// sysIoctl supports non-blocking mode and the byte count of eventfds;
// the console is not a terminal to programs (ENOTTY), so they do not
// switch it into raw modes.
func sysIoctl(f *cpu.TrapFrame) (uint64, unix.Errno) {
	of, e := lookupFD(f.RDI)
	if e != 0 {
		return 0, e
	}
	switch f.RSI {
	case ioctlFIONBIO:
		v, e := load32(f.RDX)
		if e != 0 {
			return 0, e
		}
		if v != 0 {
			of.setFlags(of.flags | unix.O_NONBLOCK)
		} else {
			of.setFlags(of.flags &^ unix.O_NONBLOCK)
		}
		return 0, 0
	case ioctlFIONREAD:
		var n uint32
		switch of.kind {
		case kindInitrdFile, kindTmpfs:
			if left := fileSize(of) - of.offset; left > 0 {
				n = uint32(min(left, 1<<31-1))
			}
		case kindPipe:
			n = uint32(pipes[of.obj].Buffered())
		}
		return 0, store32(f.RDX, n)
	}
	return 0, unix.ENOTTY
}
