package kernel

import (
	"golang.org/x/sys/unix"

	"warren.dev/fs/tmpfs"
	"warren.dev/kernel/cpu"
	"warren.dev/kernel/files"
	"warren.dev/mm/usercopy"
)

// The calls that change the file tree and its files, served by the tmpfs
// at /tmp (tmpfs.go); elsewhere the tree is read-only (EROFS). Everyone
// is root: there are no permission checks.

// openTmp opens what a walk in /tmp found.
//
// Context: kernel (no allocation, no pointer stores).
func openTmp(w tmpfs.Walked, flags, mode, keep uint32) (uint64, unix.Errno) {
	ino, e := tmp.Open(w, int(flags), mode&^umask(), 0, 0)
	if e != 0 {
		return 0, e
	}
	if tmp.Mode(ino)&unix.S_IFMT == unix.S_IFIFO {
		return openFifo(ino, flags, keep)
	}
	f, e := newFile(kindTmpfs, int32(ino), keep&^unix.O_CLOEXEC)
	if e != 0 {
		tmp.Close(ino)
		return 0, e
	}
	fd, e := installFD(f, 0, keep&unix.O_CLOEXEC != 0)
	return uint64(fd), e
}

// umask is the caller's file mode creation mask.
//
// Context: kernel (no allocation, no pointer stores).
func umask() uint32 { return procs[curProc()].umask }

// sysUmask sets the caller's mask and returns the old one.
//
// Context: kernel (no allocation, no pointer stores).
func sysUmask(f *cpu.TrapFrame) (uint64, unix.Errno) {
	pr := &procs[curProc()]
	old := pr.umask
	pr.umask = uint32(f.RDI) & 0o777
	return uint64(old), 0
}

// tmpRead reads an open tmpfs file at off into user buffer buf.
//
// Context: kernel (no allocation, no pointer stores).
func tmpRead(of *openFile, buf, n uint64, off int64) (uint64, unix.Errno) {
	if tmp.IsDir(tmpIno(of)) {
		return 0, unix.EISDIR
	}
	return tmpCopy(tmpIno(of), buf, n, off, true)
}

// tmpWrite writes user buffer buf into an open tmpfs file at off (at its
// end with O_APPEND).
//
// Context: kernel (no allocation, no pointer stores).
func tmpWrite(of *openFile, buf, n uint64, off int64) (uint64, unix.Errno) {
	if of.flags&unix.O_APPEND != 0 {
		off = tmp.Size(tmpIno(of))
	}
	return tmpCopy(tmpIno(of), buf, n, off, false)
}

// tmpCopy moves n bytes between user buffer buf and tmpfs file ino at
// off: into the buffer (read) or out of it, a chunk at a time, until the
// file system moves less than a chunk.
//
// Context: kernel (no allocation, no pointer stores).
func tmpCopy(ino tmpfs.Ino, buf, n uint64, off int64, read bool) (uint64, unix.Errno) {
	var e unix.Errno
	var done uint64
	_, ce := usercopy.Visit(caller(), buf, n, read, func(b []byte) bool {
		var k int
		if read {
			k, e = tmp.ReadAt(ino, off, b)
		} else {
			k, e = tmp.WriteAt(ino, off, b)
		}
		off += int64(k)
		done += uint64(k)
		return e == 0 && k == len(b)
	})
	return transferredOr(done, ce, e)
}

// transferredOr is the result of a copy that moved done bytes and may
// have failed in the copy (ce) or in the file system (e): bytes moved
// win over either error.
func transferredOr(done uint64, ce, e unix.Errno) (uint64, unix.Errno) {
	if done > 0 {
		return done, 0
	}
	if ce != 0 {
		return 0, ce
	}
	return 0, e
}

// fileSize is the size of a seekable open file.
func fileSize(of *openFile) int64 {
	switch of.kind {
	case kindTmpfs:
		return tmp.Size(tmpIno(of))
	case kindEtc:
		return int64(len(etcFiles.Data(int(of.obj))))
	case kindCmdline:
		return int64(bootCmdlineLen)
	case kindInitrdFile:
		return int64(len(initrdData(of.obj)))
	}
	return 0
}

// tmpTarget resolves a path that a call changes: it must lie in /tmp.
//
// Context: kernel (no allocation, no pointer stores).
func tmpTarget(dirfd int64, path uint64, last tmpfs.Last, scratch *files.Scratch) (tmpfs.Walked, unix.Errno) {
	r, e := lookupPath(dirfd, path, last, scratch)
	if e != 0 {
		return tmpfs.Walked{}, e
	}
	return r.Changed()
}

// tmpExisting resolves a path to an existing tmpfs inode.
//
// Context: kernel (no allocation, no pointer stores).
func tmpExisting(dirfd int64, path uint64, follow bool) (tmpfs.Ino, unix.Errno) {
	r, e := resolvePath(dirfd, path, follow)
	if e != 0 {
		return tmpfs.None, e
	}
	w, e := r.Changed()
	if e != 0 {
		return tmpfs.None, e
	}
	return w.Ino, 0
}

// tmpFD returns the tmpfs inode behind a descriptor.
func tmpFD(fd uint64) (tmpfs.Ino, unix.Errno) {
	of, e := lookupFD(fd)
	switch {
	case e != 0:
		return tmpfs.None, e
	case of.kind != kindTmpfs:
		return tmpfs.None, unix.EROFS
	}
	return tmpIno(of), 0
}

func sysMkdirat(f *cpu.TrapFrame) (uint64, unix.Errno) {
	return mkdir(int64(int32(f.RDI)), f.RSI, uint32(f.RDX))
}

func sysMkdir(f *cpu.TrapFrame) (uint64, unix.Errno) {
	return mkdir(unix.AT_FDCWD, f.RDI, uint32(f.RSI))
}

// Context: kernel (no allocation, no pointer stores).
func mkdir(dirfd int64, path uint64, mode uint32) (uint64, unix.Errno) {
	var scratch files.Scratch
	w, e := tmpTarget(dirfd, path, tmpfs.Parent, &scratch)
	if e == 0 {
		_, e = tmp.Mkdir(w, mode&^umask(), 0, 0)
	}
	return 0, e
}

func sysUnlinkat(f *cpu.TrapFrame) (uint64, unix.Errno) {
	if f.RDX&^unix.AT_REMOVEDIR != 0 {
		return 0, unix.EINVAL
	}
	return unlink(int64(int32(f.RDI)), f.RSI, f.RDX&unix.AT_REMOVEDIR != 0)
}

func sysUnlink(f *cpu.TrapFrame) (uint64, unix.Errno) { return unlink(unix.AT_FDCWD, f.RDI, false) }
func sysRmdir(f *cpu.TrapFrame) (uint64, unix.Errno)  { return unlink(unix.AT_FDCWD, f.RDI, true) }

// Context: kernel (no allocation, no pointer stores).
func unlink(dirfd int64, path uint64, dir bool) (uint64, unix.Errno) {
	var scratch files.Scratch
	w, e := tmpTarget(dirfd, path, tmpfs.Parent, &scratch)
	switch {
	case e != 0:
		return 0, e
	case dir:
		return 0, tmp.Rmdir(w)
	}
	return 0, tmp.Unlink(w)
}

func sysRenameat2(f *cpu.TrapFrame) (uint64, unix.Errno) {
	if f.R8&^unix.RENAME_NOREPLACE != 0 {
		return 0, unix.EINVAL // RENAME_EXCHANGE and RENAME_WHITEOUT are not offered
	}
	return rename(int64(int32(f.RDI)), f.RSI, int64(int32(f.RDX)), f.R10, f.R8 != 0)
}

func sysRenameat(f *cpu.TrapFrame) (uint64, unix.Errno) {
	return rename(int64(int32(f.RDI)), f.RSI, int64(int32(f.RDX)), f.R10, false)
}

func sysRename(f *cpu.TrapFrame) (uint64, unix.Errno) {
	return rename(unix.AT_FDCWD, f.RDI, unix.AT_FDCWD, f.RSI, false)
}

// Context: kernel (no allocation, no pointer stores).
func rename(odirfd int64, opath uint64, ndirfd int64, npath uint64, noreplace bool) (uint64, unix.Errno) {
	var oscratch, nscratch files.Scratch
	ow, e := tmpTarget(odirfd, opath, tmpfs.Parent, &oscratch)
	if e != 0 {
		return 0, e
	}
	nw, e := tmpTarget(ndirfd, npath, tmpfs.Parent, &nscratch)
	if e == unix.EROFS {
		return 0, unix.EXDEV // out of /tmp: another file system
	}
	if e != 0 {
		return 0, e
	}
	return 0, tmp.Rename(ow, nw, noreplace)
}

func sysLinkat(f *cpu.TrapFrame) (uint64, unix.Errno) {
	if f.R8&^(unix.AT_SYMLINK_FOLLOW|unix.AT_EMPTY_PATH) != 0 {
		return 0, unix.EINVAL
	}
	return link(int64(int32(f.RDI)), f.RSI, int64(int32(f.RDX)), f.R10, f.R8&unix.AT_SYMLINK_FOLLOW != 0)
}

func sysLink(f *cpu.TrapFrame) (uint64, unix.Errno) {
	return link(unix.AT_FDCWD, f.RDI, unix.AT_FDCWD, f.RSI, false)
}

// Context: kernel (no allocation, no pointer stores).
func link(odirfd int64, opath uint64, ndirfd int64, npath uint64, follow bool) (uint64, unix.Errno) {
	ino, e := tmpExisting(odirfd, opath, follow)
	if e != 0 {
		return 0, e
	}
	var scratch files.Scratch
	w, e := tmpTarget(ndirfd, npath, tmpfs.Parent, &scratch)
	if e == unix.EROFS {
		return 0, unix.EXDEV
	}
	if e != 0 {
		return 0, e
	}
	return 0, tmp.Link(ino, w)
}

func sysSymlinkat(f *cpu.TrapFrame) (uint64, unix.Errno) {
	return symlink(f.RDI, int64(int32(f.RSI)), f.RDX)
}

func sysSymlink(f *cpu.TrapFrame) (uint64, unix.Errno) { return symlink(f.RDI, unix.AT_FDCWD, f.RSI) }

// Context: kernel (no allocation, no pointer stores).
func symlink(target uint64, dirfd int64, path uint64) (uint64, unix.Errno) {
	var t [pathMax]byte
	tp, e := copyInString(t[:], target)
	if e != 0 {
		return 0, e
	}
	var scratch files.Scratch
	w, e := tmpTarget(dirfd, path, tmpfs.Parent, &scratch)
	if e == 0 {
		_, e = tmp.Symlink(w, tp, 0, 0)
	}
	return 0, e
}

func sysFchmod(f *cpu.TrapFrame) (uint64, unix.Errno) {
	ino, e := tmpFD(f.RDI)
	if e == 0 {
		tmp.Chmod(ino, uint32(f.RSI))
	}
	return 0, e
}

// sysFchmodat takes no flags: it is fchmodat2 without them.
func sysFchmodat(f *cpu.TrapFrame) (uint64, unix.Errno) {
	f.R10 = 0
	return sysFchmodat2(f)
}

// sysFchmodat2 is what os.Root.Chmod calls (with AT_SYMLINK_NOFOLLOW) and
// Go falls back from only on ENOSYS. A link's mode cannot be changed: on
// one, AT_SYMLINK_NOFOLLOW gives EOPNOTSUPP, as on Linux.
func sysFchmodat2(f *cpu.TrapFrame) (uint64, unix.Errno) {
	flags := f.R10
	if flags&^(unix.AT_SYMLINK_NOFOLLOW|unix.AT_EMPTY_PATH) != 0 {
		return 0, unix.EINVAL
	}
	var ino tmpfs.Ino
	var e unix.Errno
	if flags&unix.AT_EMPTY_PATH != 0 && emptyPath(f.RSI) {
		ino, e = tmpFD(f.RDI)
	} else {
		ino, e = tmpExisting(int64(int32(f.RDI)), f.RSI, flags&unix.AT_SYMLINK_NOFOLLOW == 0)
	}
	switch {
	case e != 0:
		return 0, e
	case tmp.Mode(ino)&unix.S_IFMT == unix.S_IFLNK:
		return 0, unix.EOPNOTSUPP
	}
	tmp.Chmod(ino, uint32(f.RDX))
	return 0, 0
}

func sysChmod(f *cpu.TrapFrame) (uint64, unix.Errno) {
	f.RDI, f.RSI, f.RDX = uint64(unix.AT_FDCWD&0xffffffff), f.RDI, f.RSI
	return sysFchmodat(f)
}

func sysFchown(f *cpu.TrapFrame) (uint64, unix.Errno) {
	ino, e := tmpFD(f.RDI)
	if e == 0 {
		tmp.Chown(ino, int32(f.RSI), int32(f.RDX))
	}
	return 0, e
}

func sysFchownat(f *cpu.TrapFrame) (uint64, unix.Errno) {
	var ino tmpfs.Ino
	var e unix.Errno
	if f.R8&unix.AT_EMPTY_PATH != 0 && emptyPath(f.RSI) {
		ino, e = tmpFD(f.RDI)
	} else {
		ino, e = tmpExisting(int64(int32(f.RDI)), f.RSI, f.R8&unix.AT_SYMLINK_NOFOLLOW == 0)
	}
	if e == 0 {
		tmp.Chown(ino, int32(f.RDX), int32(f.R10))
	}
	return 0, e
}

func sysChown(f *cpu.TrapFrame) (uint64, unix.Errno) {
	f.RDI, f.RSI, f.RDX, f.R10, f.R8 = uint64(unix.AT_FDCWD&0xffffffff), f.RDI, f.RSI, f.RDX, 0
	return sysFchownat(f)
}

func sysLchown(f *cpu.TrapFrame) (uint64, unix.Errno) {
	f.RDI, f.RSI, f.RDX, f.R10, f.R8 = uint64(unix.AT_FDCWD&0xffffffff), f.RDI, f.RSI, f.RDX, unix.AT_SYMLINK_NOFOLLOW
	return sysFchownat(f)
}

// emptyPath reports whether the user string at path is "".
func emptyPath(path uint64) bool {
	var c [1]byte
	return copyIn(c[:], path) == 0 && c[0] == 0
}

// sysUtimensat sets access and modification times; a null path is the
// descriptor itself (futimens).
//
// Context: kernel (no allocation, no pointer stores).
func sysUtimensat(f *cpu.TrapFrame) (uint64, unix.Errno) {
	dirfd, path, times, flags := int64(int32(f.RDI)), f.RSI, f.RDX, f.R10
	var ino tmpfs.Ino
	var e unix.Errno
	if path == 0 || flags&unix.AT_EMPTY_PATH != 0 && emptyPath(path) {
		ino, e = tmpFD(uint64(dirfd))
	} else {
		ino, e = tmpExisting(dirfd, path, flags&unix.AT_SYMLINK_NOFOLLOW == 0)
	}
	if e != 0 {
		return 0, e
	}
	at, mt := realtime(), realtime()
	if times != 0 {
		var b [32]byte
		if e := copyIn(b[:], times); e != 0 {
			return 0, e
		}
		var ok bool
		if at, ok = timespecTime(b[0:16]); !ok {
			return 0, unix.EINVAL
		}
		if mt, ok = timespecTime(b[16:32]); !ok {
			return 0, unix.EINVAL
		}
	}
	tmp.SetTimes(ino, at, mt)
	return 0, 0
}

// timespecTime reads a utimensat timespec: nanoseconds since the epoch,
// now (UTIME_NOW) or tmpfs.Omit (UTIME_OMIT).
func timespecTime(b []byte) (int64, bool) {
	sec, nsec := int64(le64(b)), int64(le64(b[8:]))
	switch {
	case nsec == unix.UTIME_NOW:
		return realtime(), true
	case nsec == unix.UTIME_OMIT:
		return tmpfs.Omit, true
	case nsec < 0 || nsec >= 1e9:
		return 0, false
	}
	return sec*1e9 + nsec, true
}

func sysFtruncate(f *cpu.TrapFrame) (uint64, unix.Errno) {
	of, e := lookupFD(f.RDI)
	switch {
	case e != 0:
		return 0, e
	case of.kind != kindTmpfs || of.flags&unix.O_ACCMODE == unix.O_RDONLY:
		return 0, unix.EINVAL
	}
	return 0, tmp.Truncate(tmpIno(of), int64(f.RSI))
}

func sysTruncate(f *cpu.TrapFrame) (uint64, unix.Errno) {
	ino, e := tmpExisting(unix.AT_FDCWD, f.RDI, true)
	if e != 0 {
		return 0, e
	}
	return 0, tmp.Truncate(ino, int64(f.RSI))
}

// sysFallocate reserves memory for a range (mode 0 only).
func sysFallocate(f *cpu.TrapFrame) (uint64, unix.Errno) {
	of, e := lookupFD(f.RDI)
	switch {
	case e != 0:
		return 0, e
	case f.RSI != 0:
		return 0, unix.EOPNOTSUPP
	case of.kind != kindTmpfs:
		return 0, unix.ENODEV
	case of.flags&unix.O_ACCMODE == unix.O_RDONLY:
		return 0, unix.EBADF
	}
	return 0, tmp.Allocate(tmpIno(of), int64(f.RDX), int64(f.R10))
}

// sysFsync has nothing to write back: every file lives in memory.
func sysFsync(f *cpu.TrapFrame) (uint64, unix.Errno) {
	_, e := lookupFD(f.RDI)
	return 0, e
}

// statfsSize is sizeof(struct statfs) on x86-64.
const statfsSize = 120

// encodeStatfs fills a struct statfs: the tmpfs's for its files, a
// read-only ramfs for the rest of the tree.
func encodeStatfs(b []byte, inTmp bool) {
	clear(b)
	put64(b[8:], pageSize)  // f_bsize
	put64(b[64:], 255)      // f_namelen
	put64(b[72:], pageSize) // f_frsize
	if !inTmp {
		put64(b[0:], 0x858458f6) // RAMFS_MAGIC
		put64(b[80:], unix.ST_RDONLY)
		return
	}
	st := tmp.Statfs()
	put64(b[0:], unix.TMPFS_MAGIC)
	put64(b[16:], st.Blocks)
	put64(b[24:], st.Free)
	put64(b[32:], st.Free)
	put64(b[40:], st.Files)
	put64(b[48:], st.Ffree)
}

func sysStatfs(f *cpu.TrapFrame) (uint64, unix.Errno) {
	r, e := resolvePath(unix.AT_FDCWD, f.RDI, true)
	if e != 0 {
		return 0, e
	}
	var b [statfsSize]byte
	encodeStatfs(b[:], r.InTmp)
	return 0, copyOut(f.RSI, b[:])
}

func sysFstatfs(f *cpu.TrapFrame) (uint64, unix.Errno) {
	of, e := lookupFD(f.RDI)
	if e != 0 {
		return 0, e
	}
	var b [statfsSize]byte
	encodeStatfs(b[:], of.kind == kindTmpfs)
	return 0, copyOut(f.RSI, b[:])
}

// sysFchdir makes an open directory the working directory.
func sysFchdir(f *cpu.TrapFrame) (uint64, unix.Errno) {
	of, e := lookupFD(f.RDI)
	if e != 0 {
		return 0, e
	}
	r := files.Resolved{Dev: -1, Entry: -1, Etc: -1}
	switch of.kind {
	case kindInitrdDir:
		r.Entry = int(of.obj)
	case kindTmpfs:
		r.InTmp, r.Tmp.Ino = true, tmpIno(of)
	default:
		return 0, unix.ENOTDIR
	}
	return 0, tree.Chdir(curCwd(), r)
}
