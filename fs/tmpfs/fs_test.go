package tmpfs

import (
	"bytes"
	"fmt"
	"testing"

	"golang.org/x/sys/unix"
)

func create(t *testing.T, fs *FS, p string) Ino {
	t.Helper()
	w, e := walkOpen(t, fs, p, unix.O_CREAT|unix.O_RDWR)
	if e != 0 {
		t.Fatalf("walk %s: %v", p, e)
	}
	ino, e := fs.Open(w, unix.O_CREAT|unix.O_RDWR, 0o600, 0, 0)
	if e != 0 {
		t.Fatalf("create %s: %v", p, e)
	}
	return ino
}

// TestSparse writes far past the end: the hole reads as zeros and holds
// no pages, and truncating frees what lay past the new end.
func TestSparse(t *testing.T) {
	fs, env := newFS(t, 1<<30, 16)
	ino := create(t, fs, "f")
	off := int64(5) << 30
	if n, e := fs.WriteAt(ino, off, []byte("end")); n != 3 || e != 0 {
		t.Fatalf("write: %d %v", n, e)
	}
	if got := fs.Stat(ino).Size; got != off+3 {
		t.Fatalf("size %d", got)
	}
	b := make([]byte, 8)
	if n, _ := fs.ReadAt(ino, off-5, b); n != 8 || !bytes.Equal(b, []byte("\x00\x00\x00\x00\x00end")) {
		t.Fatalf("read %d %q", n, b)
	}
	if p := fs.inodes[ino].pages; p > 4 {
		t.Fatalf("%d pages for one run of bytes", p)
	}
	fs.WriteAt(ino, 0, bytes.Repeat([]byte{1}, 3*PageSize))
	if e := fs.Truncate(ino, PageSize+1); e != 0 {
		t.Fatal(e)
	}
	fs.Truncate(ino, 3*PageSize)
	b = make([]byte, 3*PageSize)
	fs.ReadAt(ino, 0, b)
	if !bytes.Equal(b[:PageSize+1], bytes.Repeat([]byte{1}, PageSize+1)) || !bytes.Equal(b[PageSize+1:], make([]byte, 2*PageSize-1)) {
		t.Fatal("truncate then extend: the dropped bytes came back")
	}
	if e := fs.Truncate(ino, MaxFileSize+1); e != unix.EFBIG {
		t.Fatalf("truncate past the maximum: %v", e)
	}
	fs.Truncate(ino, 0)
	if fs.inodes[ino].pages != 0 || len(env.inUse) != int(fs.used) {
		t.Fatalf("empty file holds %d pages (%d in the env)", fs.inodes[ino].pages, len(env.inUse))
	}
}

// TestLimit fills the file system: writes stop short with ENOSPC at the
// limit, and unlinking gives the memory back once the file is closed.
func TestLimit(t *testing.T) {
	const limit = 64 * PageSize
	fs, env := newFS(t, limit, 16)
	ino := create(t, fs, "big")
	n, e := fs.WriteAt(ino, 0, make([]byte, 2*limit))
	if e != 0 || n == 0 || n >= limit {
		t.Fatalf("first write: %d %v", n, e)
	}
	if _, e := fs.WriteAt(ino, int64(n), []byte{1}); e != unix.ENOSPC {
		t.Fatalf("write at the limit: %v", e)
	}
	if e := fs.Allocate(ino, int64(n), PageSize); e != unix.ENOSPC {
		t.Fatalf("fallocate at the limit: %v", e)
	}
	if st := fs.Statfs(); st.Free != 0 || st.Blocks != 64 {
		t.Fatalf("statfs %+v", st)
	}
	w, _ := walk(t, fs, "big", Parent)
	if e := fs.Unlink(w); e != 0 {
		t.Fatal(e)
	}
	if fs.used == 0 {
		t.Fatal("pages freed while the file is open")
	}
	b := make([]byte, 10)
	if k, _ := fs.ReadAt(ino, 0, b); k != 10 {
		t.Fatal("an unlinked open file cannot be read")
	}
	fs.Close(ino)
	// The root keeps its one page of entries.
	if fs.used != 1 || len(env.inUse) != 1 || fs.Statfs().Ffree != 15 {
		t.Fatalf("after close: %d pages, %d in the env, %+v", fs.used, len(env.inUse), fs.Statfs())
	}
	// The environment running out is ENOSPC too.
	env.max = len(env.inUse) + 3 // two data pages and an index page
	ino = create(t, fs, "small")
	if _, e := fs.WriteAt(ino, 0, make([]byte, 2*PageSize)); e != 0 {
		t.Fatal(e)
	}
	if _, e := fs.WriteAt(ino, 2*PageSize, []byte{1}); e != unix.ENOSPC {
		t.Fatalf("env exhausted: %v", e)
	}
}

// TestInodes runs out of inodes: ENOSPC, and a failed create leaves
// nothing behind.
func TestInodes(t *testing.T) {
	fs, _ := newFS(t, 1<<20, 4)
	for i := range 3 {
		create(t, fs, fmt.Sprint(i))
	}
	w, _ := walk(t, fs, "x", Parent)
	if _, e := fs.Mkdir(w, 0o755, 0, 0); e != unix.ENOSPC {
		t.Fatalf("mkdir with no inode left: %v", e)
	}
	if msg := fs.check(); msg != "" {
		t.Fatal(msg)
	}
}

// TestReadDirWhileRemoving lists a large directory a few entries at a
// time, removing and adding entries between the calls: every entry that
// stays is listed exactly once.
func TestReadDirWhileRemoving(t *testing.T) {
	fs, _ := newFS(t, 1<<22, 1024)
	const n = 500
	for i := range n {
		fs.Close(create(t, fs, fmt.Sprintf("file-%03d-%s", i, bytes.Repeat([]byte{'x'}, i%40))))
	}
	seen := map[string]int{}
	removed := map[string]bool{}
	off := int64(0)
	for round := 0; ; round++ {
		k := 0
		next := fs.ReadDir(Root, off, func(d DirEntry) bool {
			if k == 7 {
				return false
			}
			k++
			seen[string(d.Name)]++
			return true
		})
		if k == 0 {
			break
		}
		off = next
		// Remove one entry already listed and one not yet listed, and add one.
		for _, i := range []int{(round * 7) % n, (round*13 + 250) % n} {
			name := fmt.Sprintf("file-%03d-%s", i, bytes.Repeat([]byte{'x'}, i%40))
			if w, _ := walk(t, fs, name, Parent); fs.Unlink(w) == 0 {
				removed[name] = true
			}
		}
		fs.Close(create(t, fs, fmt.Sprintf("new-%d", round)))
	}
	for i := range n {
		name := fmt.Sprintf("file-%03d-%s", i, bytes.Repeat([]byte{'x'}, i%40))
		if !removed[name] && seen[name] != 1 {
			t.Errorf("%s listed %d times", name, seen[name])
		}
	}
	for name, c := range seen {
		if c > 1 {
			t.Errorf("%s listed %d times", name, c)
		}
	}
	if seen["."] != 1 || seen[".."] != 1 {
		t.Errorf(". and ..: %d %d", seen["."], seen[".."])
	}
}

// TestPath names directories from the root, following renames.
func TestPath(t *testing.T) {
	fs, _ := newFS(t, 1<<20, 16)
	mk := func(p string) Ino {
		w, _ := walk(t, fs, p, Parent)
		ino, e := fs.Mkdir(w, 0o755, 0, 0)
		if e != 0 {
			t.Fatal(e)
		}
		return ino
	}
	mk("a")
	d := mk("a/b")
	ow, _ := walk(t, fs, "a", Parent)
	ow.Name = []byte("a")
	nw, _ := walk(t, fs, "z", Parent)
	if e := fs.Rename(ow, nw, false); e != 0 {
		t.Fatal(e)
	}
	b := make([]byte, 64)
	n, e := fs.Path(d, b)
	if e != 0 || string(b[:n]) != "/z/b" {
		t.Fatalf("path %q %v", b[:n], e)
	}
	if n, _ := fs.Path(Root, b); string(b[:n]) != "/" {
		t.Fatalf("root's path %q", b[:n])
	}
	if _, e := fs.Path(d, b[:3]); e != unix.ENAMETOOLONG {
		t.Fatalf("short buffer: %v", e)
	}
}

// TestSymlinkLoop: a walk through a cycle of links ends with ELOOP; an
// absolute target escapes.
func TestSymlinkLoop(t *testing.T) {
	fs, _ := newFS(t, 1<<20, 16)
	for _, l := range [][2]string{{"a", "b"}, {"b", "a"}, {"abs", "/etc/x"}} {
		w, _ := walk(t, fs, l[0], Parent)
		if _, e := fs.Symlink(w, []byte(l[1]), 0, 0); e != 0 {
			t.Fatal(e)
		}
	}
	if _, e := walk(t, fs, "a", Follow); e != unix.ELOOP {
		t.Fatalf("loop: %v", e)
	}
	w, e := fs.Walk(Root, []byte("abs/y"), NoFollow, make([]byte, 64))
	if e != 0 || string(w.Escape) != "/etc/x/y" {
		t.Fatalf("escape %q %v", w.Escape, e)
	}
	w, e = fs.Walk(Root, []byte("../up"), NoFollow, make([]byte, 64))
	if e != 0 || string(w.Escape) != "../up" {
		t.Fatalf("escape %q %v", w.Escape, e)
	}
}

// TestCreateThroughSlashLink: O_CREAT through a dangling link whose
// target ends in a slash names a directory to be, which open cannot make:
// EISDIR, as on Linux (os.Root's create through such a link).
func TestCreateThroughSlashLink(t *testing.T) {
	fs, _ := newFS(t, 1<<20, 16)
	w, _ := walk(t, fs, "l", Parent)
	if _, e := fs.Symlink(w, []byte("t/"), 0, 0); e != 0 {
		t.Fatal(e)
	}
	flags := unix.O_CREAT | unix.O_WRONLY
	w, e := walkOpen(t, fs, "l", flags)
	if e == 0 {
		_, e = fs.Open(w, flags, 0o644, 0, 0)
	}
	if e != unix.EISDIR {
		t.Fatalf("create through l -> t/: %v, want EISDIR", e)
	}
	if w, _ := walk(t, fs, "t", NoFollow); w.Ino != None {
		t.Fatal("t was created")
	}
}
