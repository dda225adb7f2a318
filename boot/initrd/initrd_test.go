package initrd

import (
	"bytes"
	"errors"
	"slices"
	"testing"

	"github.com/u-root/u-root/pkg/cpio"
	"golang.org/x/sys/unix"

	"warren.dev/boot/initrd/initrdtest"
)

// sample has directories, nested and implied paths, empty files, links and
// a device, in no particular order.
func sample(t testing.TB) []byte {
	withTime := func(r cpio.Record, uid, mtime uint64) cpio.Record {
		r.UID, r.GID, r.MTime = uid, uid+1, mtime
		return r
	}
	return initrdtest.Newc(t,
		cpio.Directory("etc", 0o755),
		withTime(cpio.StaticFile("etc/passwd", "root:x:0:0::/root:/bin/sh\n", 0o644), 0, 1700000000),
		cpio.StaticFile("etc/empty", "", 0o600),
		cpio.StaticFile("usr/lib/go/lib.a", "archive", 0o444), // usr, usr/lib, usr/lib/go implied
		cpio.Symlink("lib", "usr/lib"),
		cpio.Symlink("bin/sh", "/usr/bin/busybox"), // bin implied
		withTime(cpio.StaticFile("init", "#!/bin/sh\n", 0o755), 1000, 42),
		cpio.Directory("usr/bin", 0o700),
		cpio.StaticFile("usr/bin/busybox", "ELF", 0o755),
		cpio.CharDev("dev/console", 0o600, 5, 1),
		cpio.Directory("tmp", 0o1777),
	)
}

func TestSample(t *testing.T) {
	ar := sample(t)
	n, err := Count(ar)
	if err != nil {
		t.Fatal(err)
	}
	a := index(t, ar)
	// 11 records, the root and usr, usr/lib, usr/lib/go, bin, dev.
	if a.Len() != 17 || n < a.Len() {
		t.Errorf("Len %d, Count %d", a.Len(), n)
	}

	passwd := mustLookup(t, a, "/etc/passwd")
	st := a.Stat(passwd)
	if st.Mode != unix.S_IFREG|0o644 || st.Size != 26 || st.Mtime != 1700000000 || st.UID != 0 || st.GID != 1 || st.Nlink != 1 {
		t.Errorf("passwd %+v", st)
	}
	if string(a.Data(passwd)) != "root:x:0:0::/root:/bin/sh\n" {
		t.Errorf("passwd data %q", a.Data(passwd))
	}
	if st := a.Stat(mustLookup(t, a, "init")); st.UID != 1000 || st.GID != 1001 || st.Mtime != 42 || st.Mode != unix.S_IFREG|0o755 {
		t.Errorf("init %+v", st)
	}
	empty := mustLookup(t, a, "etc/empty")
	if a.Data(empty) != nil || a.Stat(empty).Size != 0 {
		t.Errorf("empty file has data")
	}

	lib := mustLookup(t, a, "/lib")
	if a.Mode(lib)&unix.S_IFMT != unix.S_IFLNK || string(a.Data(lib)) != "usr/lib" || a.Stat(lib).Size != 7 {
		t.Errorf("lib: mode %o target %q", a.Mode(lib), a.Data(lib))
	}
	if _, ok := a.Lookup([]byte("lib/go/lib.a")); ok {
		t.Errorf("Lookup followed a symbolic link")
	}
	if string(a.Data(mustLookup(t, a, "bin/sh"))) != "/usr/bin/busybox" {
		t.Errorf("bin/sh target")
	}

	console := mustLookup(t, a, "dev/console")
	if st := a.Stat(console); st.Mode != unix.S_IFCHR|0o600 || st.Rdev != unix.Mkdev(5, 1) || a.Data(console) != nil {
		t.Errorf("console %+v", st)
	}
	if st := a.Stat(mustLookup(t, a, "tmp")); st.Mode != unix.S_IFDIR|0o1777 || st.Nlink != 2 {
		t.Errorf("tmp %+v", st)
	}

	// Implied directories exist with default metadata.
	for _, p := range []string{"/", "usr", "usr/lib", "usr/lib/go", "bin", "dev"} {
		st := a.Stat(mustLookup(t, a, p))
		if st.Mode != unix.S_IFDIR|0o755 || st.UID != 0 || st.Size != 0 {
			t.Errorf("%s: %+v", p, st)
		}
	}
	if a.Stat(Root).Nlink != 2+5 || a.Stat(mustLookup(t, a, "usr")).Nlink != 4 {
		t.Errorf("directory link counts: / %d, usr %d", a.Stat(Root).Nlink, a.Stat(mustLookup(t, a, "usr")).Nlink)
	}

	want := []string{"bin 4", "dev 4", "etc 4", "init 8", "lib 10", "tmp 4", "usr 4"}
	if got := listing(a, Root); !slices.Equal(got, want) {
		t.Errorf("/ lists %q, want %q", got, want)
	}
	if got := listing(a, mustLookup(t, a, "usr")); !slices.Equal(got, []string{"bin 4", "lib 4"}) {
		t.Errorf("/usr lists %q", got)
	}
	if got := listing(a, mustLookup(t, a, "tmp")); len(got) != 0 {
		t.Errorf("/tmp lists %q", got)
	}
	if got := listing(a, passwd); len(got) != 0 {
		t.Errorf("a file lists %q", got)
	}

	for _, p := range []string{"nope", "etc/passwd/x", "et", "etc/passw", "usr/lib/go/lib.a/"} {
		if i, ok := a.Lookup([]byte(p)); ok && p != "usr/lib/go/lib.a/" {
			t.Errorf("Lookup(%q) = %d", p, i)
		}
	}
}

// TestSpellings looks paths up however they are written.
func TestSpellings(t *testing.T) {
	a := index(t, sample(t))
	passwd := mustLookup(t, a, "etc/passwd")
	for _, p := range []string{
		"/etc/passwd", "etc/passwd", "./etc/passwd", "//etc///passwd", "etc/./passwd",
		"etc/../etc/passwd", "/../etc/passwd", "../../etc/passwd", "usr/../etc/x/../passwd",
		"etc/passwd/", "etc/passwd/.",
	} {
		if i, ok := a.Lookup([]byte(p)); !ok || i != passwd {
			t.Errorf("Lookup(%q) = %d, %v", p, i, ok)
		}
	}
	for _, p := range []string{"", "/", ".", "..", "/./..", "etc/..", "a/b/../../"} {
		if i, ok := a.Lookup([]byte(p)); !ok || i != Root {
			t.Errorf("Lookup(%q) = %d, %v; want the root", p, i, ok)
		}
	}
}

// TestArchiveSpellings indexes the names find(1), gen_init_cpio and odd
// tools write.
func TestArchiveSpellings(t *testing.T) {
	ar := slices.Concat(
		rawRecord(hdr{mode: unix.S_IFDIR | 0o700, mtime: 7}, ".", -1, nil),
		rawRecord(hdr{mode: unix.S_IFDIR | 0o755}, "./bin", -1, nil),
		rawRecord(hdr{mode: unix.S_IFREG | 0o755}, "./bin/sh", -1, []byte("sh")),
		rawRecord(hdr{mode: unix.S_IFREG | 0o644}, "/abs/file", -1, []byte("abs")),
		rawRecord(hdr{mode: unix.S_IFDIR | 0o755}, "trailing/", -1, nil),
		rawRecord(hdr{mode: unix.S_IFREG | 0o644}, "trailing//x", -1, []byte("x")),
		rawRecord(hdr{mode: unix.S_IFREG | 0o644}, "a/./b/../c", -1, []byte("c")),
		rawRecord(hdr{mode: unix.S_IFREG | 0o644}, "../up", -1, []byte("up")),
		trailerRecord(),
	)
	a := index(t, ar)
	if st := a.Stat(Root); st.Mode != unix.S_IFDIR|0o700 || st.Mtime != 7 {
		t.Errorf("root from \".\": %+v", st)
	}
	for p, data := range map[string]string{"bin/sh": "sh", "abs/file": "abs", "trailing/x": "x", "a/c": "c", "up": "up"} {
		if got := string(a.Data(mustLookup(t, a, p))); got != data {
			t.Errorf("%s: %q", p, got)
		}
	}
	if _, ok := a.Lookup([]byte("a/b")); ok {
		t.Errorf("a/b exists")
	}
	if got := listing(a, mustLookup(t, a, "a")); !slices.Equal(got, []string{"c 8"}) {
		t.Errorf("a lists %q", got)
	}
	if got := listing(a, Root); !slices.Equal(got, []string{"a 4", "abs 4", "bin 4", "trailing 4", "up 8"}) {
		t.Errorf("/ lists %q", got)
	}
}

// TestReplace lets a later record of a path win, in one archive and across
// concatenated ones with zero padding between them.
func TestReplace(t *testing.T) {
	// u-root's writer drops duplicates, so write this one by hand.
	first := slices.Concat(
		rawRecord(hdr{mode: unix.S_IFREG | 0o644}, "a", -1, []byte("old")),
		rawRecord(hdr{mode: unix.S_IFREG | 0o644}, "./a", -1, []byte("newer")),
		rawRecord(hdr{mode: unix.S_IFREG | 0o644}, "b", -1, []byte("first")),
		rawRecord(hdr{mode: unix.S_IFDIR | 0o700}, "d", -1, nil),
		trailerRecord(),
	)
	second := initrdtest.Newc(t,
		cpio.StaticFile("b", "second", 0o600),
		cpio.Directory("d", 0o755),
		cpio.StaticFile("d/x", "x", 0o644),
	)
	ar := slices.Concat(first, make([]byte, 512), second, make([]byte, 100))
	a := index(t, ar)
	if a.Len() != 5 {
		t.Errorf("%d entries", a.Len())
	}
	if got := string(a.Data(mustLookup(t, a, "a"))); got != "newer" {
		t.Errorf("a = %q", got)
	}
	b := mustLookup(t, a, "b")
	if got := string(a.Data(b)); got != "second" || a.Mode(b) != unix.S_IFREG|0o600 {
		t.Errorf("b = %q mode %o", got, a.Mode(b))
	}
	if a.Mode(mustLookup(t, a, "d")) != unix.S_IFDIR|0o755 {
		t.Errorf("d not replaced")
	}
}

// TestHardLinks indexes links as GNU cpio writes them: the data once, with
// the last name; the other names empty.
func TestHardLinks(t *testing.T) {
	ar := slices.Concat(
		rawRecord(hdr{ino: 7, mode: unix.S_IFREG | 0o755, nlink: 3}, "bin/a", -1, nil),
		rawRecord(hdr{ino: 7, mode: unix.S_IFREG | 0o755, nlink: 3}, "sbin/b", -1, nil),
		rawRecord(hdr{ino: 9, mode: unix.S_IFREG | 0o644, nlink: 2}, "other", -1, []byte("not linked")),
		rawRecord(hdr{ino: 7, mode: unix.S_IFREG | 0o755, nlink: 3}, "bin/c", -1, []byte("shared")),
		rawRecord(hdr{ino: 8, mode: unix.S_IFREG | 0o644, nlink: 2}, "lonely", -1, nil),
		trailerRecord(),
	)
	a := index(t, ar)
	c := a.Stat(mustLookup(t, a, "bin/c"))
	if c.Nlink != 3 {
		t.Errorf("bin/c: %+v", c)
	}
	for _, p := range []string{"bin/a", "sbin/b", "bin/c"} {
		i := mustLookup(t, a, p)
		if st := a.Stat(i); string(a.Data(i)) != "shared" || st.Ino != c.Ino || st.Size != 6 || st.Nlink != 3 {
			t.Errorf("%s: %q %+v", p, a.Data(i), st)
		}
	}
	if st := a.Stat(mustLookup(t, a, "lonely")); st.Nlink != 1 || st.Size != 0 || st.Ino == c.Ino {
		t.Errorf("lonely: %+v", st)
	}
	if st := a.Stat(mustLookup(t, a, "other")); st.Nlink != 1 || st.Ino == c.Ino {
		t.Errorf("other: %+v", st)
	}
}

func TestEmptyArchive(t *testing.T) {
	a := index(t, trailerRecord())
	if a.Len() != 1 || !a.IsDir(Root) || len(listing(a, Root)) != 0 {
		t.Errorf("%d entries", a.Len())
	}
	var zero Archive
	if _, ok := zero.Lookup([]byte("/")); ok || zero.IsDir(Root) || zero.Data(0) != nil || zero.Name(0) != nil {
		t.Errorf("zero Archive is not empty")
	}
	if c := zero.ReadDir(Root, 0, func(DirEntry) bool { t.Error("visited"); return true }); c != 0 {
		t.Errorf("cookie %d", c)
	}
}

func TestBadIndexes(t *testing.T) {
	a := index(t, sample(t))
	for _, i := range []int{-1, a.Len(), 1 << 40} {
		if a.Stat(i) != (Stat{}) || a.Data(i) != nil || a.Mode(i) != 0 || a.IsDir(i) || a.Name(i) != nil || a.Parent(i) != Root {
			t.Errorf("index %d gave something", i)
		}
	}
}

func TestErrors(t *testing.T) {
	good := rawRecord(hdr{mode: unix.S_IFREG | 0o644}, "f", -1, []byte("data"))
	tests := []struct {
		name string
		ar   []byte
		want error
	}{
		{"empty", nil, ErrNoTrailer},
		{"no trailer", good, ErrNoTrailer},
		{"short header", slices.Concat(good, trailerRecord()[:100]), ErrTruncated},
		{"bad magic", slices.Concat([]byte("070707"), good[6:], trailerRecord()), ErrMagic},
		{"not hex", slices.Concat(good[:20], []byte("g"), good[21:], trailerRecord()), ErrHeader},
		{"name without NUL", slices.Concat(rawRecord(hdr{mode: unix.S_IFREG}, "abc", 3, nil), trailerRecord()), ErrName},
		{"name size 0", slices.Concat(rawRecord(hdr{mode: unix.S_IFREG}, "", 0, nil), trailerRecord()), ErrName},
		{"name too long", slices.Concat(rawRecord(hdr{mode: unix.S_IFREG}, "x", PathMax+1, nil), trailerRecord()), ErrNameTooLong},
		{"name past end", rawRecord(hdr{mode: unix.S_IFREG}, "x", 100, nil), ErrTruncated},
		{"data past end", good[:len(good)-2], ErrTruncated},
		{"unknown type", slices.Concat(rawRecord(hdr{mode: 0o644}, "f", -1, nil), trailerRecord()), ErrFileType},
		{"short junk after trailer", slices.Concat(good, trailerRecord(), []byte("junk")), ErrTruncated},
		{"junk after trailer", slices.Concat(good, trailerRecord(), bytes.Repeat([]byte("junk"), 40)), ErrMagic},
		{"misaligned archive after trailer", slices.Concat(good, trailerRecord(), []byte{0}, good, trailerRecord()), ErrMagic},
		{"file with children", slices.Concat(good, rawRecord(hdr{mode: unix.S_IFDIR}, "f/d", -1, nil), trailerRecord()), ErrNotDir},
		{"symlink with children", slices.Concat(rawRecord(hdr{mode: unix.S_IFLNK}, "l", -1, []byte("d")),
			rawRecord(hdr{mode: unix.S_IFREG}, "l/x", -1, nil), trailerRecord()), ErrNotDir},
		{"root not a directory", slices.Concat(rawRecord(hdr{mode: unix.S_IFREG}, ".", -1, nil), trailerRecord()), ErrRootNotDir},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := Count(tt.ar)
			if err == nil {
				var a Archive
				err = a.Init(tt.ar, make([]Entry, n))
				if err != nil && a.Len() != 0 {
					t.Errorf("failed Init left %d entries", a.Len())
				}
			} else {
				var a Archive
				if err2 := a.Init(tt.ar, make([]Entry, 100)); err2 != err {
					t.Errorf("Init says %v, Count %v", err2, err)
				}
			}
			if !errors.Is(err, tt.want) {
				t.Errorf("got %v, want %v", err, tt.want)
			}
		})
	}
}

func TestNoSpace(t *testing.T) {
	ar := sample(t)
	n, _ := Count(ar)
	var a Archive
	for _, size := range []int{0, 5, 11, 12} { // records fit from 11, implied dirs do not
		if err := a.Init(ar, make([]Entry, size)); err != ErrNoSpace {
			t.Errorf("%d entries: %v", size, err)
		}
	}
	if err := a.Init(ar, make([]Entry, n)); err != nil {
		t.Error(err)
	}
	if err := a.Init(trailerRecord(), nil); err != ErrNoSpace {
		t.Errorf("no room for the root: %v", err)
	}
}

// TestTruncations cuts a good archive everywhere: every cut is an error or
// (in the trailing padding) a complete index, never a panic.
func TestTruncations(t *testing.T) {
	ar := sample(t)
	full := index(t, ar).Len()
	entries := make([]Entry, 64)
	for n := range len(ar) {
		var a Archive
		cut := ar[:n]
		_, errc := Count(cut)
		err := a.Init(cut, entries)
		if (err == nil) != (errc == nil) {
			t.Fatalf("cut at %d: Count %v, Init %v", n, errc, err)
		}
		if err == nil && (a.Len() != full || n < len(ar)-3) {
			t.Fatalf("cut at %d accepted with %d entries", n, a.Len())
		}
	}
}

func TestCountExact(t *testing.T) {
	// In find(1) order Count is exact, less the root slot when "." exists.
	recs := []cpio.Record{cpio.Directory(".", 0o755)}
	for _, d := range []string{"a", "a/b", "a/b/c", "d"} {
		recs = append(recs, cpio.Directory(d, 0o755), cpio.StaticFile(d+"/f", "x", 0o644))
	}
	ar := initrdtest.Newc(t, recs...)
	n, _ := Count(ar)
	if a := index(t, ar); n != a.Len()+1 {
		t.Errorf("Count %d for %d entries", n, a.Len())
	}
}

func TestAllocs(t *testing.T) {
	ar := sample(t)
	n, _ := Count(ar)
	entries := make([]Entry, n)
	var a Archive
	var buf [256]byte
	var pathBuf [PathMax]byte
	paths := [][]byte{[]byte("/usr/bin/busybox"), []byte("./etc/../etc//passwd"), []byte("nope")}
	allocs := testing.AllocsPerRun(50, func() {
		if _, err := Count(ar); err != nil {
			t.Fatal(err)
		}
		if err := a.Init(ar, entries); err != nil {
			t.Fatal(err)
		}
		for _, p := range paths {
			i, _ := a.Lookup(p)
			_ = a.Stat(i)
			_ = a.Data(i)
		}
		off := 0
		a.ReadDir(Root, 0, func(d DirEntry) bool {
			m := EncodeDirent64(buf[off:], d.Ino, d.Next, d.Type, d.Name)
			off += m
			return m > 0
		})
		Resolve([]byte("/usr"), []byte("../etc/./passwd"), pathBuf[:])
	})
	if allocs != 0 {
		t.Errorf("%v allocations", allocs)
	}
}

func TestLookupLarge(t *testing.T) {
	// Every file of a deep tree, with directories implied, in reverse.
	var recs []cpio.Record
	var names []string
	for i := range 300 {
		name := string(rune('a'+i%7)) + "/" + string(rune('a'+i%5)) + "/" + string(rune('a'+i%11)) + "/f" + string(rune('0'+i%10))
		if !slices.Contains(names, name) {
			names = append(names, name)
			recs = append(recs, cpio.StaticFile(name, name, 0o644))
		}
	}
	slices.Reverse(recs)
	a := index(t, initrdtest.Newc(t, recs...))
	for _, name := range names {
		if got := string(a.Data(mustLookup(t, a, name))); got != name {
			t.Errorf("%s holds %q", name, got)
		}
	}
	if got := listing(a, mustLookup(t, a, "a/a")); len(got) == 0 {
		t.Errorf("a/a empty")
	}
	if !bytes.Equal(a.Name(mustLookup(t, a, "c/c/c")), []byte("c")) {
		t.Errorf("Name")
	}
}
