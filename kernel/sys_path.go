package kernel

import (
	"golang.org/x/sys/unix"

	"warren.dev/boot/initrd"
	"warren.dev/fs/tmpfs"
	"warren.dev/kernel/cpu"
)

// Paths: the read-only initrd tree, the tmpfs at /tmp (tmpfs.go) and a
// few device files.

const (
	pathMax     = 4096
	maxSymlinks = 8
)

// devFile is a character device served at a fixed path.
type devFile struct {
	path         string
	kind         fileKind
	major, minor uint32
}

var devFiles = [...]devFile{
	{"/dev/null", kindNull, 1, 3},
	{"/dev/zero", kindZero, 1, 5},
	{"/dev/random", kindRandom, 1, 8},
	{"/dev/urandom", kindRandom, 1, 9},
	{"/proc/cmdline", kindCmdline, 0, 0},
}

// resolved is what a path names.
type resolved struct {
	dev   int // index in devFiles, or -1
	entry int // initrd entry, or -1
	etc   int // served file (etc.go), or -1
	// inTmp: the path lies in /tmp, and tmp is where the walk led (its
	// Ino None for a name to make, its Name in the caller's scratch).
	inTmp bool
	tmp   tmpfs.Walked
	self  bool // the path is /proc/self/exe; entry is the executable
}

// pathScratch holds a path while it is resolved; a tmpfs name found in
// it lives as long as it does.
type pathScratch [pathMax]byte

// resolvePath resolves a user path relative to dirfd to something that
// exists (r.tmp.Name is not kept).
//
// Context: kernel (no allocation, no pointer stores).
func resolvePath(dirfd int64, path uint64, follow bool) (resolved, unix.Errno) {
	var scratch pathScratch
	last := tmpfs.NoFollow
	if follow {
		last = tmpfs.Follow
	}
	r, e := lookupPath(dirfd, path, last, &scratch)
	if e == 0 && r.inTmp && r.tmp.Ino == tmpfs.None {
		e = unix.ENOENT
	}
	// A copy without the name, which lives in scratch, on this stack.
	w := tmpfs.Walked{Dir: r.tmp.Dir, Ino: r.tmp.Ino, Slash: r.tmp.Slash}
	return resolved{dev: r.dev, entry: r.entry, etc: r.etc, inTmp: r.inTmp, tmp: w, self: r.self}, e
}

// lookupPath resolves a user path relative to dirfd; last says what to do
// with a symbolic link as the last component. In /tmp a missing last
// component is no error: r.tmp says where it would be. In the read-only
// tree, symbolic links are followed in the last component only, and ".."
// is taken lexically; in /tmp the walk is Linux's, component by
// component.
//
// Context: kernel (no allocation, no pointer stores).
func lookupPath(dirfd int64, path uint64, last tmpfs.Last, scratch *pathScratch) (resolved, unix.Errno) {
	var raw [pathMax]byte
	p, e := copyInString(raw[:], path)
	if e != 0 {
		return resolved{}, e
	}
	if len(p) == 0 {
		return resolved{}, unix.ENOENT
	}
	var buf [pathMax]byte
	dir, dirTmp := curCwd()
	if p[0] != '/' && dirfd != unix.AT_FDCWD {
		of, e := lookupFD(uint64(dirfd))
		if e != 0 {
			return resolved{}, e
		}
		switch {
		case of.kind == kindTmpfs && tmp.IsDir(tmpIno(of)):
			return walkTmp(tmpIno(of), p, last, scratch, &buf)
		case of.kind != kindInitrdDir:
			return resolved{}, unix.ENOTDIR
		}
		n, ok := entryPath(int(of.obj), scratch[:])
		if !ok {
			return resolved{}, unix.ENAMETOOLONG
		}
		dir = scratch[:n]
	}
	if rest, ok := underTmp(p); ok {
		return walkTmp(tmpfs.Root, rest, last, scratch, &buf)
	}
	if p[0] != '/' && dirfd == unix.AT_FDCWD && dirTmp != tmpfs.None {
		return walkTmp(dirTmp, p, last, scratch, &buf)
	}
	if rest, ok := underTmp(dir); ok && p[0] != '/' {
		// Relative to a directory in /tmp: find it, then walk from it.
		r, e := walkTmp(tmpfs.Root, rest, tmpfs.Follow, scratch, &buf)
		if e != 0 || !r.inTmp || r.tmp.Ino == tmpfs.None {
			return resolved{inTmp: true}, unix.ENOENT // the working directory was removed
		}
		return walkTmp(r.tmp.Ino, p, last, scratch, &buf)
	}
	abs, ok := initrd.Resolve(dir, p, buf[:])
	if !ok {
		return resolved{}, unix.ENAMETOOLONG
	}
	return resolveAbs(abs, last, scratch, &buf)
}

// walkTmp walks path in the tmpfs from directory start; a path that
// leaves it is resolved again from the whole tree, in buf.
//
// Context: kernel (no allocation, no pointer stores).
func walkTmp(start tmpfs.Ino, path []byte, last tmpfs.Last, scratch *pathScratch, buf *[pathMax]byte) (resolved, unix.Errno) {
	w, e := tmp.Walk(start, path, last, scratch[:])
	if e != 0 || w.Escape == nil {
		return resolved{dev: -1, entry: -1, etc: -1, inTmp: true, tmp: w}, e
	}
	abs, ok := escaped(w.Escape, buf)
	if !ok {
		return resolved{}, unix.ENAMETOOLONG
	}
	return resolveAbs(abs, last, scratch, buf)
}

// Directories a tmpfs escape is resolved against.
var (
	rootDir     = [...]byte{'/'}
	tmpMountDir = [...]byte{'/', 't', 'm', 'p'}
)

// escaped turns a path that left the tmpfs (tmpfs.Walked.Escape, in
// scratch) into a clean absolute path in buf.
func escaped(esc []byte, buf *[pathMax]byte) ([]byte, bool) {
	if esc[0] == '/' {
		return initrd.Resolve(rootDir[:], esc, buf[:])
	}
	return initrd.Resolve(tmpMountDir[:], esc, buf[:])
}

// resolveAbs resolves a clean absolute path (in buf) in the whole tree,
// following links from one part of it into another up to maxSymlinks
// times.
//
// Context: kernel (no allocation, no pointer stores).
func resolveAbs(abs []byte, last tmpfs.Last, scratch *pathScratch, buf *[pathMax]byte) (resolved, unix.Errno) {
	self := false
	for hops := 0; hops <= maxSymlinks; hops++ {
		for i := range devFiles {
			if string(abs) == devFiles[i].path {
				return resolved{dev: i, entry: -1, etc: -1}, 0
			}
		}
		if i, ok := etcFiles.Lookup(abs); ok {
			return resolved{dev: -1, entry: -1, etc: i}, 0
		}
		if isSelfExe(abs) {
			if abs = buf[:copy(buf[:], curExePath())]; len(abs) == 0 {
				return resolved{}, unix.ENOENT
			}
			self = true
			continue
		}
		var ok bool
		if rest, in := underTmp(abs); in {
			w, e := tmp.Walk(tmpfs.Root, rest, last, scratch[:])
			if e != 0 || w.Escape == nil {
				return resolved{dev: -1, entry: -1, etc: -1, inTmp: true, tmp: w}, e
			}
			if abs, ok = escaped(w.Escape, buf); !ok {
				return resolved{}, unix.ENAMETOOLONG
			}
			continue
		}
		idx, found := initrdFS.Lookup(abs)
		if !found {
			return resolved{}, unix.ENOENT
		}
		if last != tmpfs.Follow || initrdFS.Mode(idx)&unix.S_IFMT != unix.S_IFLNK {
			return resolved{dev: -1, entry: idx, etc: -1, self: self}, 0
		}
		// Resolve the target against the link's directory.
		n, _ := entryPath(initrdFS.Parent(idx), scratch[:])
		if abs, ok = initrd.Resolve(scratch[:n], initrdFS.Data(idx), buf[:]); !ok {
			return resolved{}, unix.ENAMETOOLONG
		}
	}
	return resolved{}, unix.ELOOP
}

// entryPath writes the absolute path of initrd entry idx into buf.
func entryPath(idx int, buf []byte) (int, bool) {
	var stack [64]int
	depth := 0
	for i := idx; i != initrd.Root && depth < len(stack); i = initrdFS.Parent(i) {
		stack[depth] = i
		depth++
	}
	n := 0
	if depth == 0 {
		buf[0] = '/'
		return 1, true
	}
	for d := depth - 1; d >= 0; d-- {
		name := initrdFS.Name(stack[d])
		if n+1+len(name) > len(buf) {
			return 0, false
		}
		buf[n] = '/'
		n++
		n += copy(buf[n:], name)
	}
	return n, true
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
	if flags&unix.O_TMPFILE == unix.O_TMPFILE {
		return 0, unix.EOPNOTSUPP
	}
	var scratch pathScratch
	r, e := lookupPath(dirfd, path, tmpfs.OpenLast(int(flags)), &scratch)
	if e == 0 && r.inTmp {
		var again bool
		if again, e = tmp.OpenAgain(r.tmp, int(flags)); again {
			r, e = lookupPath(dirfd, path, tmpfs.Follow, &scratch)
		}
	} else if e == 0 && r.entry >= 0 && flags&unix.O_CREAT != 0 && initrdFS.Mode(r.entry)&unix.S_IFMT == unix.S_IFLNK {
		r, e = lookupPath(dirfd, path, tmpfs.Follow, &scratch)
	}
	if e != 0 {
		if e == unix.ENOENT && flags&unix.O_CREAT != 0 && !r.inTmp {
			return 0, unix.EROFS
		}
		return 0, e
	}
	keep := flags & (unix.O_ACCMODE | unix.O_NONBLOCK | unix.O_APPEND | unix.O_CLOEXEC)
	if r.inTmp {
		return openTmp(r.tmp, flags, mode, keep)
	}
	if flags&(unix.O_CREAT|unix.O_EXCL) == unix.O_CREAT|unix.O_EXCL {
		return 0, unix.EEXIST
	}
	if r.dev >= 0 {
		return openNew(devFiles[r.dev].kind, 0, keep)
	}
	if flags&unix.O_ACCMODE != unix.O_RDONLY || flags&unix.O_TRUNC != 0 {
		return 0, unix.EROFS
	}
	if r.etc >= 0 {
		return openNew(kindEtc, int32(r.etc), keep)
	}
	kind := kindInitrdFile
	switch initrdFS.Mode(r.entry) & unix.S_IFMT {
	case unix.S_IFDIR:
		kind = kindInitrdDir
	case unix.S_IFLNK:
		return 0, unix.ELOOP // O_NOFOLLOW on a link
	}
	if flags&unix.O_DIRECTORY != 0 && kind != kindInitrdDir {
		return 0, unix.ENOTDIR
	}
	return openNew(kind, int32(r.entry), keep)
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
	case kindNull, kindZero, kindRandom:
		mode = unix.S_IFCHR | 0o666
		for _, d := range devFiles {
			if d.kind == kind {
				rdev = uint64(d.major)<<8 | uint64(d.minor)
			}
		}
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
	default: // eventfd, epoll: anonymous inodes
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
	case r.inTmp:
		encodeStat(b[:], kindTmpfs, int32(r.tmp.Ino))
	case r.dev >= 0:
		encodeStat(b[:], devFiles[r.dev].kind, 0)
	case r.etc >= 0:
		encodeStat(b[:], kindEtc, int32(r.etc))
	default:
		encodeStat(b[:], kindInitrdFile, int32(r.entry))
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
	return access(int64(int32(f.RDI)), f.RSI, f.RDX)
}

func sysAccess(f *cpu.TrapFrame) (uint64, unix.Errno) { return access(unix.AT_FDCWD, f.RDI, f.RSI) }

func access(dirfd int64, path, mode uint64) (uint64, unix.Errno) {
	r, e := resolvePath(dirfd, path, true)
	if e != 0 {
		return 0, e
	}
	if mode&unix.W_OK != 0 && r.dev < 0 && !r.inTmp {
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
	if r.inTmp {
		var b [pathMax]byte
		n, e := tmp.Readlink(r.tmp.Ino, b[:min(size, pathMax)])
		if e != 0 {
			return 0, e
		}
		return uint64(n), copyOut(buf, b[:n])
	}
	target := curExePath()
	if !r.self {
		if r.dev >= 0 || r.etc >= 0 || initrdFS.Mode(r.entry)&unix.S_IFMT != unix.S_IFLNK {
			return 0, unix.EINVAL
		}
		target = initrdFS.Data(r.entry)
	}
	if uint64(len(target)) < size {
		size = uint64(len(target))
	}
	return size, copyOut(buf, target[:size])
}

func sysChdir(f *cpu.TrapFrame) (uint64, unix.Errno) {
	r, e := resolvePath(unix.AT_FDCWD, f.RDI, true)
	if e != 0 {
		return 0, e
	}
	switch {
	case r.inTmp && tmp.IsDir(r.tmp.Ino):
		setCwdTmp(r.tmp.Ino)
	case r.dev >= 0 || r.etc >= 0 || r.inTmp || !initrdFS.IsDir(r.entry):
		return 0, unix.ENOTDIR
	default:
		var b [pathMax]byte
		n, ok := entryPath(r.entry, b[:])
		if !ok {
			return 0, unix.ENAMETOOLONG
		}
		setCwdPath(b[:n])
	}
	return 0, 0
}

// listsTmp reports whether the listing of initrd directory dir ends with
// "tmp", the tmpfs's mount point, as Linux lists a mount point: dir is
// the root and the initrd has no /tmp of its own (which it lists).
func listsTmp(dir int) bool {
	if dir != initrd.Root {
		return false
	}
	_, ok := initrdFS.Lookup(tmpMountDir[:])
	return !ok
}

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
		if next == initrdFS.DirEnd(int(of.obj)) && listsTmp(int(of.obj)) && put(tmpfs.InodeNumber(tmpfs.Root), next+1, unix.DT_DIR, tmpMountDir[1:]) {
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
