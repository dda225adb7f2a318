package kernel

import (
	"golang.org/x/sys/unix"

	"warren.dev/kernel/cpu"
)

// sendfile and copy_file_range: bytes of a regular file moved to a socket
// or a tmpfs file without passing through the caller's memory. Bytes for
// a socket go through the socket layer, which reads the file itself
// (sockabi.SysFileRead); bytes for a tmpfs file are copied here through
// one page-sized buffer, at most copyChunk bytes a call, as Linux may
// return short counts: callers loop.

// maxRWCount is Linux's MAX_RW_COUNT, the most one transfer moves.
const maxRWCount = 1<<31 - pageSize

// copyChunk bounds a file-to-file transfer per call, so that one call
// holds the kernel lock for a bounded time.
const copyChunk = 1 << 20

// copyBuf carries file-to-file transfers; the kernel lock serialises its
// users, which never sleep while holding data in it.
var copyBuf [pageSize]byte

// regularFile reports whether an open file is one with data at offsets
// (what sendfile and copy_file_range read from).
func regularFile(of *openFile) bool {
	switch of.kind {
	case kindInitrdFile, kindEtc, kindCmdline:
		return true
	case kindTmpfs:
		return tmp.Mode(tmpIno(of))&unix.S_IFMT == unix.S_IFREG
	}
	return false
}

// fileReadAt reads a regular open file at off into b.
//
// Context: kernel (no allocation, no pointer stores).
func fileReadAt(of *openFile, off int64, b []byte) (int, unix.Errno) {
	switch of.kind {
	case kindTmpfs:
		return tmp.ReadAt(tmpIno(of), off, b)
	case kindInitrdFile, kindEtc, kindCmdline:
	default:
		return 0, unix.EINVAL
	}
	data := fileData(of)
	if off >= int64(len(data)) {
		return 0, 0
	}
	return copy(b, data[off:]), 0
}

// copyToTmp copies up to n bytes of regular file in at off to tmpfs file
// out at ooff.
//
// Context: kernel (no allocation, no pointer stores).
func copyToTmp(in *openFile, off int64, out *openFile, ooff int64, n uint64) (uint64, unix.Errno) {
	n = min(n, copyChunk)
	var done uint64
	for done < n {
		k, e := fileReadAt(in, off+int64(done), copyBuf[:min(n-done, pageSize)])
		if e != 0 || k == 0 {
			return transferred(done, e)
		}
		w, e := tmp.WriteAt(tmpIno(out), ooff+int64(done), copyBuf[:k])
		done += uint64(w)
		if e != 0 || w < k {
			return transferred(done, e)
		}
	}
	return done, 0
}

// transferOffset is where a sendfile, copy_file_range or splice of open
// file of starts: at *offp, or at its position when offp is 0.
//
// Context: kernel (no allocation, no pointer stores).
func transferOffset(of *openFile, offp uint64) (int64, unix.Errno) {
	if offp == 0 {
		return of.offset, 0
	}
	return loadOffset(offp)
}

// loadOffset reads the offset a sendfile or copy_file_range caller passes
// by pointer: EINVAL if negative.
//
// Context: kernel (no allocation, no pointer stores).
func loadOffset(addr uint64) (int64, unix.Errno) {
	v, e := load64(addr)
	if e != 0 {
		return 0, e
	}
	if int64(v) < 0 {
		return 0, unix.EINVAL
	}
	return int64(v), 0
}

// sysSendfile is sendfile(out_fd, in_fd, offset, count): from the
// position of in_fd (moved past the bytes sent) when offset is NULL, else
// from *offset (updated; the position stays).
//
// Context: kernel (no allocation, no pointer stores).
func sysSendfile(f *cpu.TrapFrame) (uint64, unix.Errno) {
	inFile, e := fds().File(f.RSI)
	if e != 0 {
		return 0, e
	}
	out, e := lookupFD(f.RDI)
	if e != 0 {
		return 0, e
	}
	in := &openFiles[inFile]
	if in.flags&unix.O_ACCMODE == unix.O_WRONLY || out.flags&unix.O_ACCMODE == unix.O_RDONLY {
		return 0, unix.EBADF
	}
	if !regularFile(in) || out.flags&unix.O_APPEND != 0 {
		return 0, unix.EINVAL
	}
	offp := f.RDX
	off, e := transferOffset(in, offp)
	if e != 0 {
		return 0, e
	}
	count := min(f.R10, maxRWCount)
	switch {
	case count == 0:
		return 0, 0
	case out.kind == kindSocket:
		// The description stays held while the socket layer reads it,
		// whatever the caller's other threads do to in_fd meanwhile.
		in.refs++
		call := *f
		call.RSI, call.RDX, call.R10 = uint64(inFile), uint64(off), count
		n, e := forwardOn(out, &call)
		n, e = sent(in, off, offp, n, e)
		releaseFile(inFile)
		return n, e
	case out.kind == kindTmpfs && regularFile(out):
		n, e := copyToTmp(in, off, out, out.offset, count)
		out.offset += int64(n)
		return sent(in, off, offp, n, e)
	}
	return 0, unix.EINVAL
}

// sent ends a sendfile or splice that moved n bytes of file in from off:
// *offp, or the position of in when offp is 0, moves past them.
//
// Context: kernel (no allocation, no pointer stores).
func sent(in *openFile, off int64, offp, n uint64, e unix.Errno) (uint64, unix.Errno) {
	if n == 0 {
		return 0, e
	}
	if offp != 0 {
		return n, store64(offp, uint64(off)+n)
	}
	in.offset = off + int64(n)
	return n, 0
}

// sysCopyFileRange is copy_file_range(fd_in, off_in, fd_out, off_out,
// len, flags) between regular files into the tmpfs; each offset pointer
// works as sendfile's. A source outside the tmpfs is EXDEV, which Linux
// returns between file systems that cannot copy to each other and on
// which callers (Go's os) fall back to reading and writing.
//
// Context: kernel (no allocation, no pointer stores).
func sysCopyFileRange(f *cpu.TrapFrame) (uint64, unix.Errno) {
	if f.R9 != 0 {
		return 0, unix.EINVAL
	}
	in, e := lookupFD(f.RDI)
	if e != 0 {
		return 0, e
	}
	out, e := lookupFD(f.RDX)
	if e != 0 {
		return 0, e
	}
	if in.flags&unix.O_ACCMODE == unix.O_WRONLY || out.flags&unix.O_ACCMODE == unix.O_RDONLY || out.flags&unix.O_APPEND != 0 {
		return 0, unix.EBADF
	}
	for _, of := range [2]*openFile{in, out} {
		if of.kind == kindInitrdDir || of.kind == kindTmpfs && tmp.IsDir(tmpIno(of)) {
			return 0, unix.EISDIR
		}
		if !regularFile(of) {
			return 0, unix.EINVAL
		}
	}
	if in.kind != kindTmpfs || out.kind != kindTmpfs {
		return 0, unix.EXDEV
	}
	off, e := transferOffset(in, f.RSI)
	if e != 0 {
		return 0, e
	}
	ooff, e := transferOffset(out, f.R10)
	if e != 0 {
		return 0, e
	}
	count := min(f.R8, maxRWCount)
	if tmpIno(in) == tmpIno(out) && off < ooff+int64(count) && ooff < off+int64(count) {
		return 0, unix.EINVAL // overlapping ranges of one file
	}
	n, e := copyToTmp(in, off, out, ooff, count)
	if n == 0 {
		return 0, e
	}
	if f.RSI != 0 {
		if e := store64(f.RSI, uint64(off)+n); e != 0 {
			return 0, e
		}
	} else {
		in.offset = off + int64(n)
	}
	if f.R10 != 0 {
		return n, store64(f.R10, uint64(ooff)+n)
	}
	out.offset = ooff + int64(n)
	return n, 0
}

// sysFileRead is sockabi.SysFileRead (file, off, buf, n, id): the socket
// layer reads a sendfile's source, or peeks at a splice's pipe, the open
// file the kernel holds for request id, into its own memory.
//
// Context: kernel (no allocation, no pointer stores).
func sysFileRead(f *cpu.TrapFrame) (uint64, unix.Errno) {
	if _, e := requestCaller(f.R8); e != 0 {
		return 0, e
	}
	file := f.RDI
	if file >= maxFiles || openFiles[file].refs == 0 || int64(f.RSI) < 0 {
		return 0, unix.EINVAL
	}
	switch of := &openFiles[file]; {
	case of.kind == kindPipe:
		return pipePeekOut(&pipes[of.obj], int64(f.RSI), f.RDX, f.R10)
	case regularFile(of):
		return readFile(of, f.RDX, f.R10, int64(f.RSI))
	}
	return 0, unix.EINVAL
}
