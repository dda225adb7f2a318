package tmpfs

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// TestModel runs random sequences of operations against the file system
// and against the host's, in a temporary directory, and compares every
// result: errno, bytes read, directory listings, types, sizes and link
// counts.
func TestModel(t *testing.T) {
	seeds := 300
	if testing.Short() {
		seeds = 40
	}
	for seed := range seeds {
		runModel(t, uint64(seed), 60)
	}
}

// modelPath makes a path of up to three components from a small set of
// names, sometimes with ".", ".." (never above the root), doubled or
// trailing slashes.
func modelPath(r *rand.Rand) string {
	names := []string{"a", "b", "c"}
	var parts []string
	depth := 0
	for range 1 + r.IntN(3) {
		switch k := r.IntN(12); {
		case k == 0:
			parts = append(parts, ".")
		case k == 1 && depth > 0:
			parts = append(parts, "..")
			depth--
		default:
			parts = append(parts, names[r.IntN(len(names))])
			depth++
		}
	}
	p := strings.Join(parts, "/")
	switch r.IntN(16) {
	case 0:
		p += "/"
	case 1:
		p = strings.Replace(p, "/", "//", 1)
	}
	return p
}

// linkTarget is a relative target that cannot leave the root from a link
// at any depth.
func linkTarget(r *rand.Rand) string {
	return []string{"a", "b", "c", "a/b", "b/c", "missing"}[r.IntN(6)]
}

func runModel(t *testing.T, seed uint64, steps int) {
	r := rand.New(rand.NewPCG(seed, 15))
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o777|os.ModeSticky); err != nil { // as tmpfs's root
		t.Fatal(err)
	}
	root, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(root)
	fs, env := newFS(t, 1<<20, 64)
	env.max = 1 << 10
	var log []string
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf("seed %d: %s\nsteps:\n%s", seed, fmt.Sprintf(format, args...), strings.Join(log, "\n"))
	}
	for range steps {
		p, q := modelPath(r), modelPath(r)
		var host, mine string
		switch op := r.IntN(13); op {
		case 0:
			log = append(log, "mkdir "+p)
			host = errStr(unix.Mkdirat(root, p, 0o755))
			mine = tmpDo(t, fs, p, Parent, func(w Walked) unix.Errno { _, e := fs.Mkdir(w, 0o755, 0, 0); return e })
		case 1, 2:
			flags := unix.O_WRONLY | unix.O_CREAT
			for _, f := range []int{unix.O_EXCL, unix.O_TRUNC, unix.O_APPEND} {
				if r.IntN(3) == 0 {
					flags |= f
				}
			}
			if op == 2 {
				flags &^= unix.O_CREAT
			}
			off := int64(r.IntN(3 * PageSize))
			data := bytes.Repeat([]byte{byte('a' + r.IntN(26))}, r.IntN(2*PageSize))
			log = append(log, fmt.Sprintf("open %s %#x, write %d at %d", p, flags, len(data), off))
			host = hostWrite(root, p, flags, off, data)
			mine = tmpWrite(t, fs, p, flags, off, data)
		case 3:
			log = append(log, "read "+p)
			host, mine = hostRead(root, p), tmpRead(t, fs, p)
		case 4:
			size := int64(r.IntN(3 * PageSize))
			log = append(log, fmt.Sprintf("truncate %s %d", p, size))
			host = errStr(unix.Truncate(dir+"/"+p, size))
			mine = tmpDo(t, fs, p, Follow, func(w Walked) unix.Errno {
				if w.Ino == None {
					return unix.ENOENT
				}
				if fs.isDir(w.Ino) {
					return unix.EISDIR
				}
				return fs.Truncate(w.Ino, size)
			})
		case 5:
			noreplace := r.IntN(4) == 0
			log = append(log, fmt.Sprintf("rename %s %s noreplace=%v", p, q, noreplace))
			var flags uint
			if noreplace {
				flags = unix.RENAME_NOREPLACE
			}
			host = errStr(unix.Renameat2(root, p, root, q, flags))
			mine = tmpDo2(t, fs, p, Parent, q, nil, func(ow, nw Walked) unix.Errno { return fs.Rename(ow, nw, noreplace) })
		case 6:
			log = append(log, "unlink "+p)
			host = errStr(unix.Unlinkat(root, p, 0))
			mine = tmpDo(t, fs, p, Parent, fs.Unlink)
		case 7:
			log = append(log, "rmdir "+p)
			host = errStr(unix.Unlinkat(root, p, unix.AT_REMOVEDIR))
			mine = tmpDo(t, fs, p, Parent, fs.Rmdir)
		case 8:
			log = append(log, fmt.Sprintf("link %s %s", p, q))
			host = errStr(unix.Linkat(root, p, root, q, 0))
			mine = tmpDo2(t, fs, p, NoFollow, q, func(ow Walked) unix.Errno {
				switch {
				case ow.Ino == None:
					return unix.ENOENT // linkat looks up the old path before the new
				case ow.Slash && !fs.isDir(ow.Ino):
					return unix.ENOTDIR
				}
				return 0
			}, func(ow, nw Walked) unix.Errno { return fs.Link(ow.Ino, nw) })
		case 9:
			target := linkTarget(r)
			log = append(log, fmt.Sprintf("symlink %s -> %s", p, target))
			host = errStr(unix.Symlinkat(target, root, p))
			mine = tmpDo(t, fs, p, Parent, func(w Walked) unix.Errno { _, e := fs.Symlink(w, []byte(target), 0, 0); return e })
		case 10:
			log = append(log, "readlink "+p)
			buf := make([]byte, 256)
			n, err := unix.Readlinkat(root, p, buf)
			host = fmt.Sprintf("%q %s", buf[:max(n, 0)], errStr(err))
			var got []byte
			e := tmpDo(t, fs, p, NoFollow, func(w Walked) unix.Errno {
				if w.Ino == None {
					return unix.ENOENT
				}
				k, e := fs.Readlink(w.Ino, buf)
				got = buf[:k]
				return e
			})
			mine = fmt.Sprintf("%q %s", got, e)
		case 11:
			follow := r.IntN(2) == 0
			log = append(log, fmt.Sprintf("stat %s follow=%v", p, follow))
			host, mine = hostStat(root, p, follow), tmpStat(t, fs, p, follow)
		case 12:
			log = append(log, "readdir "+p)
			host, mine = hostList(dir+"/"+p), tmpList(t, fs, p)
		}
		if host != mine {
			fail("host %s, tmpfs %s", host, mine)
		}
	}
	if msg := fs.check(); msg != "" {
		fail("%s", msg)
	}
}

func errStr(err error) string {
	if err == nil {
		return "ok"
	}
	return err.(unix.Errno).Error()
}

func tmpDo(t *testing.T, fs *FS, p string, last Last, op func(Walked) unix.Errno) string {
	w, e := walk(t, fs, p, last)
	if e == 0 {
		e = op(w)
	}
	return errStr(errOrNil(e))
}

// tmpDo2 walks p (as lastP says), checks it with first (if not nil), walks q and calls op.
func tmpDo2(t *testing.T, fs *FS, p string, lastP Last, q string, first func(Walked) unix.Errno, op func(ow, nw Walked) unix.Errno) string {
	ow, e := walk(t, fs, p, lastP)
	if e == 0 && first != nil {
		e = first(ow)
	}
	if e == 0 {
		// Copy the first walk's name out of the scratch buffer.
		ow.Name = slices.Clone(ow.Name)
		var nw Walked
		if nw, e = walk(t, fs, q, Parent); e == 0 {
			e = op(ow, nw)
		}
	}
	return errStr(errOrNil(e))
}

func errOrNil(e unix.Errno) error {
	if e == 0 {
		return nil
	}
	return e
}

func hostWrite(root int, p string, flags int, off int64, data []byte) string {
	fd, err := unix.Openat(root, p, flags, 0o644)
	if err != nil {
		return errStr(err)
	}
	defer unix.Close(fd)
	var n int
	if flags&unix.O_APPEND != 0 {
		n, err = unix.Write(fd, data)
	} else {
		n, err = unix.Pwrite(fd, data, off)
	}
	return fmt.Sprint(n, " ", errStr(err))
}

func tmpWrite(t *testing.T, fs *FS, p string, flags int, off int64, data []byte) string {
	w, e := walkOpen(t, fs, p, flags)
	if e != 0 {
		return e.Error()
	}
	ino, e := fs.Open(w, flags, 0o644, 0, 0)
	if e != 0 {
		return e.Error()
	}
	defer fs.Close(ino)
	if flags&unix.O_APPEND != 0 {
		off = fs.Size(ino)
	}
	n, e := fs.WriteAt(ino, off, data)
	return fmt.Sprint(n, " ", errStr(errOrNil(e)))
}

func hostRead(root int, p string) string {
	fd, err := unix.Openat(root, p, unix.O_RDONLY, 0)
	if err != nil {
		return errStr(err)
	}
	defer unix.Close(fd)
	data, err := os.ReadFile(fmt.Sprintf("/proc/self/fd/%d", fd))
	if err != nil {
		if pe, ok := err.(*os.PathError); ok {
			return errStr(pe.Err)
		}
		return err.Error()
	}
	return fmt.Sprintf("%x", data)
}

func tmpRead(t *testing.T, fs *FS, p string) string {
	w, e := walk(t, fs, p, Follow)
	if e != 0 {
		return e.Error()
	}
	ino, e := fs.Open(w, unix.O_RDONLY, 0, 0, 0)
	if e != 0 {
		return e.Error()
	}
	defer fs.Close(ino)
	b := make([]byte, fs.Size(ino)+10)
	n, e := fs.ReadAt(ino, 0, b)
	if e != 0 {
		return e.Error()
	}
	return fmt.Sprintf("%x", b[:n])
}

func hostStat(root int, p string, follow bool) string {
	var st unix.Stat_t
	flags := 0
	if !follow {
		flags = unix.AT_SYMLINK_NOFOLLOW
	}
	if err := unix.Fstatat(root, p, &st, flags); err != nil {
		return errStr(err)
	}
	return statStr(st.Mode, st.Nlink, st.Size)
}

// statStr keeps what both file systems agree on: type, permissions,
// and the size and link count of what is not a directory.
func statStr(mode uint32, nlink uint64, size int64) string {
	if mode&unix.S_IFMT == unix.S_IFDIR {
		nlink, size = 0, 0
	}
	return fmt.Sprintf("mode %o nlink %d size %d", mode, nlink, size)
}

func tmpStat(t *testing.T, fs *FS, p string, follow bool) string {
	last := NoFollow
	if follow {
		last = Follow
	}
	w, e := walk(t, fs, p, last)
	if e == 0 && w.Ino == None {
		e = unix.ENOENT
	}
	if e != 0 {
		return e.Error()
	}
	st := fs.Stat(w.Ino)
	return statStr(st.Mode, uint64(st.Nlink), st.Size)
}

func hostList(p string) string {
	ents, err := os.ReadDir(p)
	if err != nil {
		return errStr(err.(*os.PathError).Err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name()+":"+e.Type().String())
	}
	return strings.Join(names, " ")
}

func tmpList(t *testing.T, fs *FS, p string) string {
	w, e := walk(t, fs, p, Follow)
	if e == 0 && w.Ino == None {
		e = unix.ENOENT
	}
	if e != 0 {
		return e.Error()
	}
	ino, e := fs.Open(w, unix.O_RDONLY|unix.O_DIRECTORY, 0, 0, 0)
	if e != 0 {
		return e.Error()
	}
	defer fs.Close(ino)
	var names []string
	fs.ReadDir(ino, 0, func(d DirEntry) bool {
		if string(d.Name) != "." && string(d.Name) != ".." {
			mode := os.FileMode(0)
			switch d.Type {
			case unix.DT_DIR:
				mode = os.ModeDir
			case unix.DT_LNK:
				mode = os.ModeSymlink
			}
			names = append(names, string(d.Name)+":"+mode.String())
		}
		return true
	})
	slices.Sort(names)
	return strings.Join(names, " ")
}
