package files

import (
	"strings"
	"testing"

	"github.com/u-root/u-root/pkg/cpio"
	"golang.org/x/sys/unix"

	"warren.dev/boot/initrd"
	"warren.dev/boot/initrd/initrdtest"
	"warren.dev/fs/tmpfs"
)

// pageEnv gives a tmpfs pages from the Go heap.
type pageEnv struct {
	pages map[uint64]*[tmpfs.PageSize]byte
}

func (e pageEnv) AllocPage() (uint64, bool) {
	pa := uint64(len(e.pages)+1) * tmpfs.PageSize
	for e.pages[pa] != nil {
		pa += tmpfs.PageSize
	}
	e.pages[pa] = new([tmpfs.PageSize]byte)
	return pa, true
}
func (e pageEnv) FreePage(pa uint64)                   { delete(e.pages, pa) }
func (e pageEnv) Page(pa uint64) *[tmpfs.PageSize]byte { return e.pages[pa] }
func (e pageEnv) Now() int64                           { return 1 }

// newTree makes a tree of an initrd of recs, an empty tmpfs, and served
// files at the given paths (each holding its path).
func newTree(t *testing.T, served []string, recs ...cpio.Record) *Tree {
	t.Helper()
	ar := initrdtest.Newc(t, recs...)
	n, err := initrd.Count(ar)
	if err != nil {
		t.Fatal(err)
	}
	tr := &Tree{Initrd: new(initrd.Archive), Served: new(Served), Tmp: new(tmpfs.FS)}
	if err := tr.Initrd.Init(ar, make([]initrd.Entry, n)); err != nil {
		t.Fatal(err)
	}
	for i, p := range served {
		tr.Served.Put(i, p, p)
	}
	tr.Tmp.Init(pageEnv{map[uint64]*[tmpfs.PageSize]byte{}}, make([]tmpfs.Inode, 64), 1<<20)
	return tr
}

// image is an initrd as warren build makes one: executables, a link
// chain, a link into /tmp and a link loop.
func image(t *testing.T) *Tree {
	return newTree(t, []string{EtcHosts},
		cpio.Directory("bin", 0o755),
		cpio.StaticFile("bin/app", "\x7fELF", 0o755),
		cpio.Symlink("bin/sh", "app"),
		cpio.Symlink("bin/abs", "/bin/sh"),
		cpio.Directory("data", 0o755),
		cpio.StaticFile("data/a.txt", "a", 0o644),
		cpio.Symlink("data/up", "../bin/app"),
		cpio.Symlink("scratch", "/tmp/s"),
		cpio.Symlink("loop1", "loop2"),
		cpio.Symlink("loop2", "loop1"),
	)
}

// root is the working directory at the root of the read-only tree.
var root = Dir{Tmp: tmpfs.None, Entry: -1, Path: []byte("/")}

// lookup resolves p from d as the kernel does for a call that needs it
// to exist.
func lookup(tr *Tree, d Dir, p string, follow bool) (Resolved, unix.Errno) {
	return tr.Resolve(d, []byte(p), follow, []byte("/bin/app"))
}

// entryPath is the absolute path of what r names in the initrd.
func entryPath(t *testing.T, tr *Tree, r Resolved) string {
	t.Helper()
	if r.Entry < 0 || r.InTmp || r.Dev >= 0 || r.Etc >= 0 {
		t.Fatalf("%+v is not an initrd entry", r)
	}
	b, ok := tr.Initrd.Path(r.Entry, make([]byte, PathMax))
	if !ok {
		t.Fatal("no path")
	}
	return string(b)
}

func TestLookupReadOnlyTree(t *testing.T) {
	tr := image(t)
	data := Dir{Tmp: tmpfs.None, Entry: -1, Path: []byte("/data")}
	dataIdx, _ := tr.Initrd.Lookup([]byte("/data"))
	for _, c := range []struct {
		d      Dir
		path   string
		follow bool
		want   string // the entry's path, or the error
	}{
		{root, "/bin/app", true, "/bin/app"},
		{root, "bin/app", true, "/bin/app"},
		{data, "a.txt", true, "/data/a.txt"},
		{data, "../bin/app", true, "/bin/app"},
		{Dir{Tmp: tmpfs.None, Entry: dataIdx}, "a.txt", true, "/data/a.txt"},
		{root, "/..", true, "/"},           // ".." at the root stays there
		{root, "/../../bin", true, "/bin"}, // ... however often
		{root, "/bin/", true, "/bin"},
		{root, "/bin//app", true, "/bin/app"},
		{root, "/bin/sh", true, "/bin/app"},  // a relative link, against its directory
		{root, "/bin/sh", false, "/bin/sh"},  // not followed: lstat
		{root, "/bin/abs", true, "/bin/app"}, // an absolute link to a link
		{root, "/data/up", true, "/bin/app"}, // ".." in a link's target
		{root, "/bin/sh/", false, "/bin/sh"}, // cleaned lexically: the slash goes
		{root, "/proc/self/exe", true, "/bin/app"},
		{root, "/nonesuch", true, "ENOENT"},
		{root, "/bin/nonesuch", true, "ENOENT"},
		{root, "/bin/app/x", true, "ENOENT"}, // no child of a file
		{root, "", true, "ENOENT"},
		{root, "/loop1", true, "ELOOP"},
		{root, "/loop1", false, "/loop1"},
		{Dir{Tmp: tmpfs.None, Entry: -1, Path: []byte("/" + strings.Repeat("d", PathMax-2))}, "x", true, "ENAMETOOLONG"},
	} {
		r, e := lookup(tr, c.d, c.path, c.follow)
		got := ""
		if e != 0 {
			got = unix.ErrnoName(e)
		} else {
			got = entryPath(t, tr, r)
		}
		if got != c.want {
			t.Errorf("lookup(%q from %q, follow %v) = %s, want %s", c.path, c.d.Path, c.follow, got, c.want)
		}
	}
	if r, _ := lookup(tr, root, "/proc/self/exe", true); !r.Self {
		t.Error("/proc/self/exe: not marked Self")
	}
	if _, e := tr.Resolve(root, []byte("/proc/self/exe"), true, nil); e != unix.ENOENT {
		t.Errorf("/proc/self/exe with no executable: %v, want ENOENT", e)
	}
}

func TestLookupDevicesAndServed(t *testing.T) {
	tr := image(t)
	for i, d := range Devices {
		if r, e := lookup(tr, root, d.Path, true); e != 0 || r.Dev != i || r.Entry != -1 || r.Etc != -1 {
			t.Errorf("%s: %+v, %v", d.Path, r, e)
		}
	}
	r, e := lookup(tr, Dir{Tmp: tmpfs.None, Entry: -1, Path: []byte("/etc")}, "hosts", true)
	if e != 0 || r.Etc < 0 || string(tr.Served.Data(r.Etc)) != EtcHosts {
		t.Errorf("hosts from /etc: %+v, %v", r, e)
	}
	if _, e := lookup(tr, root, EtcResolv, true); e != unix.ENOENT {
		t.Errorf("%s, not served: %v, want ENOENT", EtcResolv, e)
	}
}

// mkdir makes directory p in the tree's tmpfs.
func mkdir(t *testing.T, tr *Tree, p string) tmpfs.Ino {
	t.Helper()
	var s Scratch
	r, e := tr.Lookup(root, []byte(p), tmpfs.Parent, nil, &s)
	if e != 0 || !r.InTmp {
		t.Fatalf("mkdir %s: %+v, %v", p, r, e)
	}
	ino, e := tr.Tmp.Mkdir(r.Tmp, 0o755, 0, 0)
	if e != 0 {
		t.Fatalf("mkdir %s: %v", p, e)
	}
	return ino
}

// symlink makes a link at p in the tree's tmpfs.
func symlink(t *testing.T, tr *Tree, p, target string) {
	t.Helper()
	var s Scratch
	r, _ := tr.Lookup(root, []byte(p), tmpfs.Parent, nil, &s)
	if _, e := tr.Tmp.Symlink(r.Tmp, []byte(target), 0, 0); e != 0 {
		t.Fatalf("symlink %s: %v", p, e)
	}
}

func TestLookupTmp(t *testing.T) {
	tr := image(t)
	d := mkdir(t, tr, "/tmp/d")
	mkdir(t, tr, "/tmp/s")
	symlink(t, tr, "/tmp/d/out", "/bin/sh")  // from the tmpfs back to the initrd
	symlink(t, tr, "/tmp/d/up", "../../bin") // ".." above /tmp
	symlink(t, tr, "/tmp/d/self", "self")
	if _, e := tr.Tmp.Create(d, []byte("f"), 0o644, 0, 0); e != 0 {
		t.Fatal(e)
	}
	inD := Dir{Tmp: d, Entry: -1}
	for _, c := range []struct {
		d    Dir
		path string
		want string // "tmp" for a place in /tmp, an entry's path, or the error
	}{
		{root, "/tmp", "tmp"},
		{root, "/tmp/", "tmp"},
		{root, "/tmp/d/f", "tmp"},
		{root, "tmp/d/f", "tmp"},
		{inD, "f", "tmp"},
		{inD, "/bin/app", "/bin/app"},
		{inD, "..", "tmp"},
		{inD, "../..", "/"},
		{inD, "../../data/a.txt", "/data/a.txt"},
		{inD, "out", "/bin/app"},
		{inD, "up/app", "/bin/app"},
		{root, "/scratch", "tmp"}, // an initrd link into /tmp
		{root, "/tmpx", "ENOENT"}, // not under /tmp
		{inD, "f/", "ENOTDIR"},
		{inD, "f/x", "ENOTDIR"},
		{inD, "nonesuch", "ENOENT"},
		{inD, "self", "ELOOP"},
	} {
		r, e := lookup(tr, c.d, c.path, true)
		got := ""
		switch {
		case e != 0:
			got = unix.ErrnoName(e)
		case r.InTmp:
			got = "tmp"
		default:
			got = entryPath(t, tr, r)
		}
		if got != c.want {
			t.Errorf("lookup(%q from %v) = %s, want %s", c.path, c.d.Tmp, got, c.want)
		}
	}
	// A missing last name is where to make it, for Lookup; Resolve
	// wants it to exist.
	var s Scratch
	r, e := tr.Lookup(inD, []byte("new"), tmpfs.Parent, nil, &s)
	if e != 0 || !r.InTmp || r.Tmp.Ino != tmpfs.None || r.Tmp.Dir != d || string(r.Tmp.Name) != "new" {
		t.Errorf("Lookup(new): %+v, %v", r, e)
	}
}

// TestLookupCwdPathInTmp: a working directory held as a path under /tmp
// is found in the tmpfs, and is ENOENT once it is gone.
func TestLookupCwdPathInTmp(t *testing.T) {
	tr := image(t)
	d := mkdir(t, tr, "/tmp/d")
	cwd := Dir{Tmp: tmpfs.None, Entry: -1, Path: []byte("/tmp/d")}
	if _, e := tr.Tmp.Create(d, []byte("f"), 0o644, 0, 0); e != 0 {
		t.Fatal(e)
	}
	if r, e := lookup(tr, cwd, "f", true); e != 0 || !r.InTmp || r.Tmp.Dir != d {
		t.Errorf("f from /tmp/d: %+v, %v", r, e)
	}
	cwd.Path = []byte("/tmp/gone")
	if r, e := lookup(tr, cwd, "f", true); e != unix.ENOENT || !r.InTmp {
		t.Errorf("f from a missing /tmp/gone: %+v, %v", r, e)
	}
}

func TestOpenReadOnlyTree(t *testing.T) {
	tr := image(t)
	mkdir(t, tr, "/tmp/s")
	for _, c := range []struct {
		path  string
		flags int
		want  unix.Errno
	}{
		{"/bin/app", unix.O_RDONLY, 0},
		{"/bin", unix.O_RDONLY | unix.O_DIRECTORY, 0},
		{"/bin/app", unix.O_WRONLY, unix.EROFS},
		{"/bin/app", unix.O_RDWR, unix.EROFS},
		{"/bin/app", unix.O_RDONLY | unix.O_TRUNC, unix.EROFS},
		{"/bin/new", unix.O_WRONLY | unix.O_CREAT, unix.EROFS},
		{"/nonesuch/new", unix.O_WRONLY | unix.O_CREAT, unix.EROFS},
		{"/bin/app", unix.O_RDONLY | unix.O_CREAT | unix.O_EXCL, unix.EEXIST},
		{"/bin/app", unix.O_RDONLY | unix.O_CREAT, 0},
		{"/bin/app", unix.O_RDONLY | unix.O_DIRECTORY, unix.ENOTDIR},
		{"/bin/sh", unix.O_RDONLY | unix.O_NOFOLLOW, unix.ELOOP},
		{"/bin/sh", unix.O_RDONLY, 0},
		{"/bin/nonesuch", unix.O_RDONLY, unix.ENOENT},
		{"/dev/null", unix.O_WRONLY, 0},
		{"/dev/null", unix.O_RDWR | unix.O_CREAT, 0},
		{"/dev/null", unix.O_WRONLY | unix.O_CREAT | unix.O_EXCL, unix.EEXIST},
		{"/etc/hosts", unix.O_RDONLY, 0},
		{"/etc/hosts", unix.O_WRONLY, unix.EROFS},
		{"/tmp/new", unix.O_WRONLY | unix.O_CREAT, 0},
		// Initrd links are followed in the last component only.
		{"/scratch/new", unix.O_WRONLY | unix.O_CREAT, unix.EROFS},
		{"/tmp", unix.O_RDWR | unix.O_TMPFILE, unix.EOPNOTSUPP},
		{"/tmp/s/", unix.O_WRONLY | unix.O_CREAT, unix.EISDIR},
	} {
		var s Scratch
		r, e := tr.Open(root, []byte(c.path), uint32(c.flags), nil, &s)
		if e != c.want {
			t.Errorf("open(%q, %#x) = %v, want %v", c.path, c.flags, e, c.want)
		}
		if e == 0 && strings.HasPrefix(c.path, "/tmp/new") != (r.InTmp && r.Tmp.Ino == tmpfs.None) {
			t.Errorf("open(%q, %#x): %+v", c.path, c.flags, r)
		}
	}
	// O_CREAT through an initrd link to a name in /tmp that does not
	// exist yet: the name to make, in /tmp.
	tr = newTree(t, nil, cpio.Symlink("log", "/tmp/log"))
	var s Scratch
	r, e := tr.Open(root, []byte("/log"), unix.O_WRONLY|unix.O_CREAT, nil, &s)
	if e != 0 || !r.InTmp || r.Tmp.Ino != tmpfs.None || string(r.Tmp.Name) != "log" {
		t.Errorf("open(/log → /tmp/log, O_CREAT): %+v, %v", r, e)
	}
}

func TestListsTmp(t *testing.T) {
	tr := image(t)
	bin, _ := tr.Initrd.Lookup([]byte("/bin"))
	if !tr.ListsTmp(initrd.Root) || tr.ListsTmp(bin) {
		t.Error("ListsTmp: / should list tmp, /bin should not")
	}
	tr = newTree(t, nil, cpio.Directory("tmp", 0o1777))
	if tr.ListsTmp(initrd.Root) {
		t.Error("ListsTmp: / lists the initrd's own /tmp")
	}
}

func TestUnderTmp(t *testing.T) {
	for p, want := range map[string]string{"/tmp": "", "/tmp/": "/", "/tmp/a/b": "/a/b", "/tmpx": "-", "/": "-", "/t": "-"} {
		rest, ok := UnderTmp([]byte(p))
		got := string(rest)
		if !ok {
			got = "-"
		}
		if got != want {
			t.Errorf("UnderTmp(%q) = %q, want %q", p, got, want)
		}
	}
}

func TestReadlink(t *testing.T) {
	tr := image(t)
	mkdir(t, tr, "/tmp/s")
	symlink(t, tr, "/tmp/l", "s/x")
	for _, c := range []struct{ path, want string }{
		{"/bin/sh", "app"},
		{"/bin/abs", "/bin/sh"},
		{"/proc/self/exe", "/bin/app"},
		{"/tmp/l", "s/x"},
		{"/bin/app", "EINVAL"},
		{"/dev/null", "EINVAL"},
		{"/etc/hosts", "EINVAL"},
		{"/tmp/s", "EINVAL"},
	} {
		r, e := lookup(tr, root, c.path, false)
		if e != 0 {
			t.Fatalf("%s: %v", c.path, e)
		}
		b := make([]byte, 64)
		n, e := tr.Readlink(r, []byte("/bin/app"), b)
		got := string(b[:n])
		if e != 0 {
			got = unix.ErrnoName(e)
		}
		if got != c.want {
			t.Errorf("readlink(%s) = %q, want %q", c.path, got, c.want)
		}
	}
	r, _ := lookup(tr, root, "/bin/abs", false)
	if n, e := tr.Readlink(r, nil, make([]byte, 3)); n != 3 || e != 0 {
		t.Errorf("readlink into 3 bytes = %d, %v; want 3 (cut)", n, e)
	}
}

func TestWritable(t *testing.T) {
	tr := image(t)
	for p, want := range map[string]bool{"/dev/null": true, "/tmp": true, "/bin/app": false, "/etc/hosts": false, "/": false} {
		if r, e := lookup(tr, root, p, true); e != 0 || r.Writable() != want {
			t.Errorf("%s: Writable = %v, %v; want %v", p, r.Writable(), e, want)
		}
	}
}

// TestChanged: calls that make, remove or change a name reach the tmpfs
// alone; the rest of the tree is read-only. A name missing there is
// ENOENT, as the lookup says (Linux says EROFS for mkdir).
func TestChanged(t *testing.T) {
	tr := image(t)
	for p, want := range map[string]unix.Errno{
		"/tmp/new": 0, "/tmp": 0, "/bin/new": unix.ENOENT, "/bin/app": unix.EROFS,
		"/dev/null": unix.EROFS, "/etc/hosts": unix.EROFS, "/scratch": unix.EROFS,
	} {
		var s Scratch
		r, e := tr.Lookup(root, []byte(p), tmpfs.Parent, nil, &s)
		if e == 0 {
			_, e = r.Changed()
		}
		if e != want {
			t.Errorf("%s: %v, want %v", p, e, want)
		}
	}
}
