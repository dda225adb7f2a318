// Command tmpfsprog uses /tmp as Go programs and their tests do, and
// fills it to its limit (which the test sets to 4 MiB); it prints
// "tmpfsprog: ok" and exits 0, or names each failed check and exits 1.
// It imports nothing of Warren's, so it runs both as the program in the
// image and as a ring-3 process.
package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"warren.dev/qemu/testdata/internal/verdict"
)

var v = verdict.New("tmpfsprog")

func main() {
	dir, err := os.MkdirTemp("", "t")
	v.Must(err, "MkdirTemp")
	f, err := os.CreateTemp(dir, "f*")
	v.Must(err, "CreateTemp")
	_, err = f.WriteString("hello, world")
	v.Must(err, "write")
	v.Must(f.Sync(), "fsync")
	v.Must(f.Truncate(20), "ftruncate")
	v.Must(f.Close(), "close")
	data, err := os.ReadFile(f.Name())
	v.Check(err == nil && string(data) == "hello, world\x00\x00\x00\x00\x00\x00\x00\x00", "read back %q %v", data, err)

	g := filepath.Join(dir, "g")
	v.Must(os.Rename(f.Name(), g), "rename")
	_, err = os.Stat(f.Name())
	v.Check(errors.Is(err, os.ErrNotExist), "old name after rename: %v", err)
	v.Must(os.Truncate(g, 5), "truncate")
	v.Must(os.Mkdir(filepath.Join(dir, "sub"), 0o755), "mkdir")
	v.Must(os.Symlink("g", filepath.Join(dir, "l")), "symlink")
	target, err := os.Readlink(filepath.Join(dir, "l"))
	v.Check(err == nil && target == "g", "readlink %q %v", target, err)
	data, err = os.ReadFile(filepath.Join(dir, "l"))
	v.Check(err == nil && string(data) == "hello", "read through the link %q %v", data, err)
	v.Must(os.Link(g, filepath.Join(dir, "sub", "h")), "link")
	_, err = os.OpenFile(g, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	v.Check(errors.Is(err, os.ErrExist), "O_EXCL on an existing file: %v", err)
	v.Must(os.Chmod(g, 0o600), "chmod")
	when := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
	v.Must(os.Chtimes(g, when, when), "chtimes")
	st, err := os.Stat(g)
	v.Check(err == nil && st.Mode() == 0o600 && st.ModTime().Equal(when) && st.Size() == 5, "stat %v %v", st, err)
	if sys, ok := st.Sys().(*syscall.Stat_t); ok {
		v.Check(sys.Nlink == 2, "nlink %d, want 2", sys.Nlink)
	}

	// os.Root.Chmod is fchmodat2 with AT_SYMLINK_NOFOLLOW (EOPNOTSUPP
	// if the kernel has no fchmodat2); root's groups are none.
	root, err := os.OpenRoot(dir)
	v.Must(err, "OpenRoot")
	v.Must(root.Chmod("g", 0o640), "Root.Chmod")
	st, err = os.Stat(g)
	v.Check(err == nil && st.Mode() == 0o640, "stat after Root.Chmod %v %v", st, err)
	v.Must(root.Close(), "close the root")
	groups, err := os.Getgroups()
	v.Check(err == nil && len(groups) == 0, "getgroups %v %v", groups, err)

	ents, err := os.ReadDir(dir)
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	v.Check(err == nil && slices.Equal(names, []string{"g", "l", "sub"}), "ReadDir %v %v", names, err)

	// umask: 022 at start; 077 takes the group's and others' bits off
	// what is created.
	mask := syscall.Umask(0o077)
	v.Check(mask == 0o022, "umask was %#o, want 022", mask)
	v.Must(os.WriteFile(filepath.Join(dir, "masked"), nil, 0o666), "create under umask 077")
	v.Must(os.Mkdir(filepath.Join(dir, "maskdir"), 0o777), "mkdir under umask 077")
	for name, want := range map[string]os.FileMode{"masked": 0o600, "maskdir": os.ModeDir | 0o700} {
		st, err := os.Stat(filepath.Join(dir, name))
		v.Check(err == nil, "stat %s: %v", name, err)
		if err == nil {
			v.Check(st.Mode() == want, "%s under umask 077: mode %v, want %v", name, st.Mode(), want)
		}
	}
	v.Check(syscall.Umask(mask) == 0o077, "umask did not keep 077")

	// Chdir into /tmp and back with fchdir (what t.Chdir's clean-up does).
	top, err := os.Open(dir)
	v.Must(err, "open the directory")
	v.Must(os.Chdir(filepath.Join(dir, "sub")), "chdir")
	wd, err := os.Getwd()
	v.Check(err == nil && wd == filepath.Join(dir, "sub"), "getwd %q %v", wd, err)
	data, err = os.ReadFile("h")
	v.Check(err == nil && string(data) == "hello", "relative read %q %v", data, err)
	v.Must(os.WriteFile("../rel", []byte("x"), 0o644), "relative create through ..")
	v.Must(top.Chdir(), "fchdir")
	wd, err = os.Getwd()
	v.Check(err == nil && wd == dir, "getwd after fchdir %q %v", wd, err)
	_, err = os.Stat("rel")
	v.Must(err, "stat after fchdir")
	v.Must(os.Chdir("/tmp"), "chdir /tmp")

	copyFileRange(dir)
	access(dir)
	deepCwd(dir)
	fifo(dir)
	devices()

	// The limit: writes fail with ENOSPC, and removing the file frees it.
	var fs syscall.Statfs_t
	v.Must(syscall.Statfs("/tmp", &fs), "statfs")
	free := fs.Bfree
	big := filepath.Join(dir, "big")
	err = os.WriteFile(big, bytes.Repeat([]byte{1}, 8<<20), 0o644)
	v.Check(errors.Is(err, syscall.ENOSPC), "writing 8 MiB into 4: %v", err)
	v.Must(os.Remove(big), "remove")
	v.Must(syscall.Statfs("/tmp", &fs), "statfs")
	v.Check(fs.Bfree == free, "free blocks %d after the remove, %d before", fs.Bfree, free)
	v.Must(os.WriteFile(big, bytes.Repeat([]byte{1}, 1<<20), 0o644), "write 1 MiB after the remove")

	v.Must(os.RemoveAll(dir), "RemoveAll")
	_, err = os.Stat(dir)
	v.Check(errors.Is(err, os.ErrNotExist), "after RemoveAll: %v", err)
	v.End()
}

// access checks faccessat2's flags: a link is checked, not followed, with
// AT_SYMLINK_NOFOLLOW, and unknown flags and modes are EINVAL.
func access(dir string) {
	file, link := filepath.Join(dir, "acc"), filepath.Join(dir, "acc-link")
	v.Must(os.WriteFile(file, nil, 0o644), "create for access")
	v.Must(os.Symlink("nowhere", link), "symlink for access")
	v.Must(unix.Faccessat2(unix.AT_FDCWD, file, unix.R_OK|unix.W_OK, unix.AT_EACCESS), "faccessat2 AT_EACCESS")
	v.Must(unix.Faccessat2(unix.AT_FDCWD, link, unix.F_OK, unix.AT_SYMLINK_NOFOLLOW), "faccessat2 of a dangling link, not followed")
	err := unix.Faccessat2(unix.AT_FDCWD, link, unix.F_OK, 0)
	v.Check(err == unix.ENOENT, "faccessat2 of a dangling link, followed: %v, want ENOENT", err)
	err = unix.Faccessat2(unix.AT_FDCWD, file, unix.R_OK, 2)
	v.Check(err == unix.EINVAL, "faccessat2 with flags 2: %v, want EINVAL", err)
	err = unix.Access(file, 8)
	v.Check(err == unix.EINVAL, "access with mode 8: %v, want EINVAL", err)
}

// copyFileRange copies between two files of dir with copy_file_range(2):
// from the positions, which move, and from offsets passed by pointer,
// which move instead.
func copyFileRange(dir string) {
	src, err := os.Create(filepath.Join(dir, "src"))
	v.Must(err, "create the copy's source")
	dst, err := os.Create(filepath.Join(dir, "dst"))
	v.Must(err, "create the copy's destination")
	defer src.Close()
	defer dst.Close()
	_, err = src.WriteString("0123456789")
	v.Must(err, "write the copy's source")
	_, err = src.Seek(2, 0)
	v.Must(err, "seek")
	n, err := unix.CopyFileRange(int(src.Fd()), nil, int(dst.Fd()), nil, 3, 0)
	v.Check(n == 3 && err == nil, "copy_file_range from the positions: %d, %v", n, err)
	soff, doff := int64(5), int64(10)
	n, err = unix.CopyFileRange(int(src.Fd()), &soff, int(dst.Fd()), &doff, 100, 0)
	v.Check(n == 5 && err == nil && soff == 10 && doff == 15, "copy_file_range at offsets: %d, %v, offsets %d %d", n, err, soff, doff)
	spos, _ := src.Seek(0, 1)
	dpos, _ := dst.Seek(0, 1)
	v.Check(spos == 5 && dpos == 3, "positions %d and %d after copy_file_range, want 5 and 3", spos, dpos)
	data, err := os.ReadFile(dst.Name())
	v.Check(err == nil && string(data) == "234\x00\x00\x00\x00\x00\x00\x0056789", "copied %q %v", data, err)
	_, err = unix.CopyFileRange(int(src.Fd()), nil, int(dst.Fd()), nil, 3, 1)
	v.Check(err == unix.EINVAL, "copy_file_range with flags: %v, want EINVAL", err)
	soff, doff = 0, 2
	_, err = unix.CopyFileRange(int(src.Fd()), &soff, int(src.Fd()), &doff, 5, 0)
	v.Check(err == unix.EINVAL, "copy_file_range between overlapping ranges: %v, want EINVAL", err)
}

// deepCwd goes 50 directories of 100-byte names down from dir by
// relative chdir, past PATH_MAX: getcwd says ENAMETOOLONG there, as
// Linux's, and os.Getwd finds the path by walking up; the working
// directory follows a rename of a directory above it, and ".." climbs
// back.
func deepCwd(dir string) {
	top, err := os.Open(".")
	v.Must(err, "open the working directory")
	defer top.Close()
	v.Must(os.Chdir(dir), "chdir to the top of the deep tree")
	name := strings.Repeat("d", 100)
	want := dir
	for i := range 50 {
		if err := os.Mkdir(name, 0o755); err != nil {
			v.Check(false, "mkdir at depth %d: %v", i, err)
			return
		}
		if err := os.Chdir(name); err != nil {
			v.Check(false, "chdir at depth %d: %v", i, err)
			return
		}
		want += "/" + name
	}
	root, err := os.ReadDir("/")
	v.Check(err == nil && slices.ContainsFunc(root, func(e os.DirEntry) bool { return e.Name() == "tmp" && e.IsDir() }),
		"/ does not list the directory tmp: %v", err)
	buf := make([]byte, 8192)
	_, err = syscall.Getcwd(buf)
	v.Check(err == syscall.ENAMETOOLONG, "getcwd %d bytes deep: %v, want ENAMETOOLONG", len(want), err)
	os.Setenv("PWD", "")
	wd, err := os.Getwd()
	v.Check(err == nil && wd == want, "Getwd %d bytes deep: %d bytes, %v", len(want), len(wd), err)
	v.Must(os.WriteFile("f", []byte("deep"), 0o644), "create a file deep down")
	v.Must(os.Rename(filepath.Join(dir, name), filepath.Join(dir, "renamed")), "rename a directory above the working directory")
	data, err := os.ReadFile("f")
	v.Check(err == nil && string(data) == "deep", "read deep down after a rename above: %q %v", data, err)
	v.Must(os.Chdir(strings.Repeat("../", 49)), "climb 49 levels")
	wd, err = os.Getwd()
	v.Check(err == nil && wd == filepath.Join(dir, "renamed"), "Getwd after the climb: %q %v", wd, err)
	v.Must(top.Chdir(), "fchdir back")
	v.Must(os.RemoveAll(filepath.Join(dir, "renamed")), "RemoveAll the deep tree")
}

// fifo makes a FIFO in dir and opens it as Linux lets: a non-blocking
// writer without a reader is ENXIO, blocking opens of the two ends wait
// for each other, bytes pass, and the reader gets end of file when the
// writer closes.
func fifo(dir string) {
	name := filepath.Join(dir, "fifo")
	v.Must(syscall.Mkfifo(name, 0o600), "mkfifo")
	st, err := os.Stat(name)
	v.Check(err == nil && st.Mode().Type() == os.ModeNamedPipe, "stat of a FIFO: %v %v", st, err)
	_, err = os.OpenFile(name, os.O_WRONLY|syscall.O_NONBLOCK, 0)
	v.Check(errors.Is(err, syscall.ENXIO), "non-blocking write open without a reader: %v, want ENXIO", err)
	rc := make(chan *os.File)
	go func() {
		r, err := os.Open(name)
		v.Must(err, "open the FIFO to read")
		rc <- r
	}()
	w, err := os.OpenFile(name, os.O_WRONLY, 0)
	v.Must(err, "open the FIFO to write")
	r := <-rc
	if w == nil || r == nil {
		return
	}
	_, err = w.WriteString("through the fifo")
	v.Must(err, "write to the FIFO")
	v.Must(w.Close(), "close the FIFO's writer")
	data, err := io.ReadAll(r)
	v.Check(err == nil && string(data) == "through the fifo", "read from the FIFO: %q %v", data, err)
	v.Must(r.Close(), "close the FIFO's reader")
	v.Must(os.Remove(name), "remove the FIFO")
}

// devices: each device file has its own numbers, by path and open.
func devices() {
	for _, d := range []struct {
		path         string
		major, minor uint32
	}{{"/dev/null", 1, 3}, {"/dev/zero", 1, 5}, {"/dev/random", 1, 8}, {"/dev/urandom", 1, 9}} {
		var st syscall.Stat_t
		err := syscall.Stat(d.path, &st)
		v.Check(err == nil && st.Mode&syscall.S_IFMT == syscall.S_IFCHR && st.Rdev == uint64(d.major)<<8|uint64(d.minor),
			"stat %s: rdev %#x mode %#o %v, want %d:%d", d.path, st.Rdev, st.Mode, err, d.major, d.minor)
		f, err := os.Open(d.path)
		v.Must(err, "open "+d.path)
		if f == nil {
			continue
		}
		err = syscall.Fstat(int(f.Fd()), &st)
		v.Check(err == nil && st.Rdev == uint64(d.major)<<8|uint64(d.minor), "fstat %s: rdev %#x %v", d.path, st.Rdev, err)
		f.Close()
	}
}
