package kernel

import (
	"golang.org/x/sys/unix"

	"warren.dev/boot/initrd"
	"warren.dev/fs/tmpfs"
	"warren.dev/kernel/cpu"
	"warren.dev/kernel/files"
)

// Paths: the kernel's side of files.Tree, which resolves them (the
// read-only initrd tree, the served files, the tmpfs at /tmp, a few device
// files): copying the path in, the directory it starts from, and opening
// what it names.

const pathMax = files.PathMax

// tree is the kernel's file tree, statically initialised.
var tree = files.Tree{Initrd: &initrdFS, Served: &etcFiles, Tmp: &tmp}

// devKinds are the open files of files.Devices' kinds.
var devKinds = [...]fileKind{
	files.DevNull:    kindNull,
	files.DevZero:    kindZero,
	files.DevRandom:  kindRandom,
	files.DevCmdline: kindCmdline,
}

// pathArg copies the user path at path into raw and finds the directory
// it starts from: dirfd's, or the working directory for AT_FDCWD or an
// absolute path.
//
// Context: kernel (no allocation, no pointer stores).
func pathArg(dirfd int64, path uint64, raw *[pathMax]byte) ([]byte, files.Dir, unix.Errno) {
	p, e := copyInString(raw[:], path)
	if e != 0 {
		return nil, files.Dir{}, e
	}
	if len(p) == 0 || p[0] == '/' || dirfd == unix.AT_FDCWD {
		return p, curCwd().Dir(), 0
	}
	of, e := lookupFD(uint64(dirfd))
	switch {
	case e != 0:
		return nil, files.Dir{}, e
	case of.kind == kindTmpfs && tmp.IsDir(tmpIno(of)):
		return p, files.Dir{Tmp: tmpIno(of), Entry: -1}, 0
	case of.kind == kindInitrdDir:
		return p, files.Dir{Tmp: tmpfs.None, Entry: int(of.obj)}, 0
	}
	return nil, files.Dir{}, unix.ENOTDIR
}

// resolvePath resolves a user path relative to dirfd to something that
// exists (files.Tree.Resolve).
//
// Context: kernel (no allocation, no pointer stores).
func resolvePath(dirfd int64, path uint64, follow bool) (files.Resolved, unix.Errno) {
	var raw [pathMax]byte
	p, d, e := pathArg(dirfd, path, &raw)
	if e != 0 {
		return files.Resolved{}, e
	}
	return tree.Resolve(d, p, follow, curExePath())
}

// lookupPath resolves a user path relative to dirfd (files.Tree.Lookup).
//
// Context: kernel (no allocation, no pointer stores).
func lookupPath(dirfd int64, path uint64, last tmpfs.Last, scratch *files.Scratch) (files.Resolved, unix.Errno) {
	var raw [pathMax]byte
	p, d, e := pathArg(dirfd, path, &raw)
	if e != 0 {
		return files.Resolved{}, e
	}
	return tree.Lookup(d, p, last, curExePath(), scratch)
}

// sysOpenat opens a file of the tree, of /tmp, or a device.
//
// Context: kernel (no allocation, no pointer stores).
func sysOpenat(f *cpu.TrapFrame) (uint64, unix.Errno) {
	return openPath(int64(int32(f.RDI)), f.RSI, uint32(f.RDX), uint32(f.R10))
}

func sysOpen(f *cpu.TrapFrame) (uint64, unix.Errno) {
	return openPath(unix.AT_FDCWD, f.RDI, uint32(f.RSI), uint32(f.RDX))
}

func openPath(dirfd int64, path uint64, flags uint32, mode uint32) (uint64, unix.Errno) {
	var raw [pathMax]byte
	var scratch files.Scratch
	p, d, e := pathArg(dirfd, path, &raw)
	if e != 0 {
		return 0, e
	}
	r, e := tree.Open(d, p, flags, curExePath(), &scratch)
	if e != 0 {
		return 0, e
	}
	keep := flags & (unix.O_ACCMODE | unix.O_NONBLOCK | unix.O_APPEND | unix.O_CLOEXEC)
	switch {
	case r.InTmp:
		return openTmp(r.Tmp, flags, mode, keep)
	case r.Dev >= 0:
		return openNew(devKinds[files.Devices[r.Dev].Kind], int32(r.Dev), keep) // obj: which device, for stat
	case r.Etc >= 0:
		return openNew(kindEtc, int32(r.Etc), keep)
	case initrdFS.IsDir(r.Entry):
		return openNew(kindInitrdDir, int32(r.Entry), keep)
	}
	return openNew(kindInitrdFile, int32(r.Entry), keep)
}

// statSize is sizeof(struct stat) on x86-64.
const statSize = 144

// encodeStat fills a struct stat for an open file or a path.
func encodeStat(b []byte, kind fileKind, obj int32) {
	clear(b)
	var mode uint32
	var ino, size, rdev uint64
	var mtime int64
	nlink := uint64(1)
	switch kind {
	case kindInitrdFile, kindInitrdDir:
		st := initrdFS.Stat(int(obj))
		mode, ino, size, rdev, mtime = st.Mode, st.Ino, uint64(st.Size), st.Rdev, st.Mtime
		nlink = uint64(st.Nlink)
	case kindConsole:
		mode, rdev = unix.S_IFCHR|0o620, 4<<8|64 // ttyS0
	case kindNull, kindZero, kindRandom: // obj: the index in files.Devices
		mode = unix.S_IFCHR | 0o666
		d := files.Devices[obj]
		rdev = uint64(d.Major)<<8 | uint64(d.Minor)
	case kindPipe:
		if ino := pipeFifo[obj]; ino != tmpfs.None {
			tmpStat(b, ino)
			return
		}
		mode = unix.S_IFIFO | 0o600
	case kindSocket:
		mode = unix.S_IFSOCK | 0o777
	case kindEtc:
		mode, size = unix.S_IFREG|0o444, uint64(len(etcFiles.Data(int(obj))))
	case kindTmpfs:
		tmpStat(b, tmpfs.Ino(obj))
		return
	default: // eventfd, epoll, pidfd: anonymous inodes
		mode = 0o600
	}
	put64(b[8:], ino)
	put64(b[16:], nlink)
	put32(b[24:], mode)
	put64(b[40:], rdev)
	put64(b[48:], size)
	put64(b[56:], pageSize)
	put64(b[64:], (size+511)/512)
	put64(b[88:], uint64(mtime))
	put64(b[72:], uint64(mtime))
	put64(b[104:], uint64(mtime))
}

func put32(b []byte, v uint32) {
	b[0], b[1], b[2], b[3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
}

func sysFstat(f *cpu.TrapFrame) (uint64, unix.Errno) {
	of, e := lookupFD(f.RDI)
	if e != 0 {
		return 0, e
	}
	var b [statSize]byte
	encodeStat(b[:], of.kind, of.obj)
	return 0, copyOut(f.RSI, b[:])
}

// statPath stats a path, following a final link unless nofollow.
func statPath(dirfd int64, path, out uint64, follow bool) (uint64, unix.Errno) {
	r, e := resolvePath(dirfd, path, follow)
	if e != 0 {
		return 0, e
	}
	var b [statSize]byte
	switch {
	case r.InTmp:
		encodeStat(b[:], kindTmpfs, int32(r.Tmp.Ino))
	case r.Dev >= 0:
		encodeStat(b[:], devKinds[files.Devices[r.Dev].Kind], int32(r.Dev))
	case r.Etc >= 0:
		encodeStat(b[:], kindEtc, int32(r.Etc))
	default:
		encodeStat(b[:], kindInitrdFile, int32(r.Entry))
	}
	return 0, copyOut(out, b[:])
}

func sysStat(f *cpu.TrapFrame) (uint64, unix.Errno) {
	return statPath(unix.AT_FDCWD, f.RDI, f.RSI, true)
}

func sysLstat(f *cpu.TrapFrame) (uint64, unix.Errno) {
	return statPath(unix.AT_FDCWD, f.RDI, f.RSI, false)
}

// sysNewfstatat is fstatat; AT_EMPTY_PATH with an empty path is fstat.
func sysNewfstatat(f *cpu.TrapFrame) (uint64, unix.Errno) {
	dirfd, path, out, flags := int64(int32(f.RDI)), f.RSI, f.RDX, f.R10
	if flags&unix.AT_EMPTY_PATH != 0 {
		var c [1]byte
		if copyIn(c[:], path) == 0 && c[0] == 0 {
			f.RDI, f.RSI = uint64(dirfd), out
			return sysFstat(f)
		}
	}
	return statPath(dirfd, path, out, flags&unix.AT_SYMLINK_NOFOLLOW == 0)
}

// sysFaccessat grants everything in /tmp (everyone is root), and read and
// execute elsewhere: the rest of the tree is read-only.
func sysFaccessat(f *cpu.TrapFrame) (uint64, unix.Errno) {
	return access(int64(int32(f.RDI)), f.RSI, f.RDX, true)
}

// sysFaccessat2 is faccessat with flags: AT_EACCESS changes nothing, the
// real and effective IDs both being root's as far as files go.
// AT_EMPTY_PATH is not served (EINVAL, as an unknown flag).
func sysFaccessat2(f *cpu.TrapFrame) (uint64, unix.Errno) {
	if f.R10&^(unix.AT_EACCESS|unix.AT_SYMLINK_NOFOLLOW) != 0 {
		return 0, unix.EINVAL
	}
	return access(int64(int32(f.RDI)), f.RSI, f.RDX, f.R10&unix.AT_SYMLINK_NOFOLLOW == 0)
}

func sysAccess(f *cpu.TrapFrame) (uint64, unix.Errno) {
	return access(unix.AT_FDCWD, f.RDI, f.RSI, true)
}

func access(dirfd int64, path, mode uint64, follow bool) (uint64, unix.Errno) {
	if mode&^(unix.R_OK|unix.W_OK|unix.X_OK) != 0 {
		return 0, unix.EINVAL
	}
	r, e := resolvePath(dirfd, path, follow)
	if e != 0 {
		return 0, e
	}
	if mode&unix.W_OK != 0 && !r.Writable() {
		return 0, unix.EROFS
	}
	return 0, 0
}

func sysReadlinkat(f *cpu.TrapFrame) (uint64, unix.Errno) {
	return readlink(int64(int32(f.RDI)), f.RSI, f.RDX, f.R10)
}

func sysReadlink(f *cpu.TrapFrame) (uint64, unix.Errno) {
	return readlink(unix.AT_FDCWD, f.RDI, f.RSI, f.RDX)
}

func readlink(dirfd int64, path, buf, size uint64) (uint64, unix.Errno) {
	r, e := resolvePath(dirfd, path, false)
	if e != 0 {
		return 0, e
	}
	var b [pathMax]byte
	n, e := tree.Readlink(r, curExePath(), b[:min(size, pathMax)])
	if e != 0 {
		return 0, e
	}
	return uint64(n), copyOut(buf, b[:n])
}

func sysChdir(f *cpu.TrapFrame) (uint64, unix.Errno) {
	r, e := resolvePath(unix.AT_FDCWD, f.RDI, true)
	if e != 0 {
		return 0, e
	}
	return 0, tree.Chdir(curCwd(), r)
}

// tmpName is the name of /tmp in a listing of /.
var tmpName = [...]byte{'t', 'm', 'p'}

// sysGetdents64 lists a directory from its file position (a cookie).
//
// Context: kernel (no allocation, no pointer stores).
func sysGetdents64(f *cpu.TrapFrame) (uint64, unix.Errno) {
	of, e := lookupFD(f.RDI)
	if e != 0 {
		return 0, e
	}
	inTmp := of.kind == kindTmpfs && tmp.IsDir(tmpIno(of))
	if of.kind != kindInitrdDir && !inTmp {
		return 0, unix.ENOTDIR
	}
	out, size := f.RSI, f.RDX
	if e := userRange(out, size); e != 0 {
		return 0, e
	}
	var buf [pageSize]byte
	limit := min(int(size), len(buf))
	n := 0
	tooSmall := false
	put := func(ino uint64, next int64, typ uint8, name []byte) bool {
		w := initrd.EncodeDirent64(buf[n:limit], ino, next, typ, name)
		tooSmall = w == 0 && n == 0
		n += w
		return w > 0
	}
	var next int64
	if inTmp {
		next = tmp.ReadDir(tmpIno(of), of.offset, func(d tmpfs.DirEntry) bool { return put(d.Ino, d.Next, d.Type, d.Name) })
	} else {
		next = initrdFS.ReadDir(int(of.obj), of.offset, func(d initrd.DirEntry) bool { return put(d.Ino, d.Next, d.Type, d.Name) })
		if next == initrdFS.DirEnd(int(of.obj)) && tree.ListsTmp(int(of.obj)) && put(tmpfs.InodeNumber(tmpfs.Root), next+1, unix.DT_DIR, tmpName[:]) {
			next++
		}
	}
	if tooSmall {
		return 0, unix.EINVAL // the buffer cannot hold one entry
	}
	if e := copyOut(out, buf[:n]); e != 0 {
		return 0, e // the position stays: nothing was read
	}
	of.offset = next
	return uint64(n), 0
}
