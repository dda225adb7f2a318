package initrd

import (
	"path"
	"slices"
	"testing"

	"golang.org/x/sys/unix"
)

// FuzzInit indexes arbitrary bytes: Count and Init must agree, never panic,
// and a successful index must keep its invariants and list cleanly.
func FuzzInit(f *testing.F) {
	f.Add(sample(f))
	f.Add(trailerRecord())
	f.Add(slices.Concat(
		rawRecord(hdr{ino: 7, mode: unix.S_IFREG, nlink: 2}, "./x/../a", -1, nil),
		rawRecord(hdr{ino: 7, mode: unix.S_IFREG, nlink: 2}, "b//c", -1, []byte("d")),
		trailerRecord(), make([]byte, 8), sample(f)))
	f.Fuzz(func(t *testing.T, ar []byte) {
		n, err := Count(ar)
		if err != nil {
			var a Archive
			if err2 := a.Init(ar, make([]Entry, 16)); err2 != err {
				t.Fatalf("Count: %v, Init: %v", err, err2)
			}
			return
		}
		if n < 1 || n > len(ar) {
			t.Fatalf("Count %d for %d bytes", n, len(ar))
		}
		var a Archive
		if err := a.Init(ar, make([]Entry, n)); err != nil {
			if err != ErrNotDir && err != ErrRootNotDir {
				t.Fatalf("Init: %v after Count succeeded", err)
			}
			return
		}
		checkTree(t, &a)
		var buf [64]byte
		for dir := range a.Len() {
			for c := int64(0); c < 4; c++ {
				a.ReadDir(dir, c, func(d DirEntry) bool {
					return EncodeDirent64(buf[:], d.Ino, d.Next, d.Type, d.Name) > 0
				})
			}
			_ = a.Stat(dir)
			_ = a.Data(dir)
		}
	})
}

// FuzzLookup checks Lookup and Resolve against path.Clean.
func FuzzLookup(f *testing.F) {
	a := index(f, sample(f))
	for _, s := range []string{"/etc/passwd", "a/../etc//./passwd", "../..", "usr/lib/go/", ""} {
		f.Add(s, "/usr")
	}
	f.Fuzz(func(t *testing.T, p, cwd string) {
		i, ok := a.Lookup([]byte(p))
		j, okc := a.Lookup([]byte(path.Clean("/" + p)))
		if ok != okc || i != j {
			t.Fatalf("Lookup(%q) = %d, %v; of its clean form %d, %v", p, i, ok, j, okc)
		}
		var buf [256]byte
		got, ok := Resolve([]byte(cwd), []byte(p), buf[:])
		want := path.Clean("/" + cwd + "/" + p)
		if len(p) > 0 && p[0] == '/' {
			want = path.Clean(p)
		}
		if ok && string(got) != want {
			t.Fatalf("Resolve(%q, %q) = %q, want %q", cwd, p, got, want)
		}
		if !ok && len(cwd)+len(p)+2 <= len(buf) {
			t.Fatalf("Resolve(%q, %q) ran out of room", cwd, p)
		}
	})
}

// FuzzWalk walks arbitrary paths through a tree of links: no panic, and a
// success names a real entry, a directory if the path ends in a slash.
func FuzzWalk(f *testing.F) {
	a := linkTree(f)
	for _, s := range []string{"bin/sh", "lib64/../lib/libc.so", "loop/x", "etc/self/self/", "tofile"} {
		f.Add(s, uint8(0), true)
	}
	f.Fuzz(func(t *testing.T, p string, dir uint8, follow bool) {
		i, errno := a.Walk(int(dir)%(a.Len()+1), []byte(p), follow)
		if errno != 0 {
			return
		}
		if i < 0 || i >= a.Len() {
			t.Fatalf("Walk(%q) = %d", p, i)
		}
		if len(p) > 0 && p[len(p)-1] == '/' && !a.IsDir(i) {
			t.Fatalf("Walk(%q) ended on a non-directory", p)
		}
	})
}
