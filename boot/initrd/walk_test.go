package initrd

import (
	"strings"
	"testing"

	"github.com/u-root/u-root/pkg/cpio"
	"golang.org/x/sys/unix"

	"warren.dev/boot/initrd/initrdtest"
)

// linkTree has links of every kind: relative, absolute, to directories,
// chained, dangling, looping, and with ".." inside.
func linkTree(t testing.TB) *Archive {
	return index(t, initrdtest.Newc(t,
		cpio.StaticFile("usr/lib/libc.so", "libc", 0o644),
		cpio.StaticFile("usr/bin/busybox", "bb", 0o755),
		cpio.Symlink("lib", "usr/lib"),
		cpio.Symlink("lib64", "/lib"),
		cpio.Symlink("bin", "usr/bin"),
		cpio.Symlink("usr/bin/sh", "busybox"),
		cpio.Symlink("usr/bin/up", "../lib/libc.so"),
		cpio.Symlink("usr/bin/dotdot", ".."),
		cpio.Symlink("dangling", "nowhere"),
		cpio.Symlink("loop", "loop"),
		cpio.Symlink("empty", ""),
		cpio.Symlink("slashdir", "usr/lib/"),
		cpio.Symlink("tofile", "usr/lib/libc.so/"),
		cpio.StaticFile("etc/passwd", "root", 0o644),
		cpio.Symlink("etc/self", "."),
	))
}

func TestWalk(t *testing.T) {
	a := linkTree(t)
	usr := mustLookup(t, a, "usr")
	tests := []struct {
		dir    int
		path   string
		follow bool
		want   string // a path for Lookup, or an errno
		errno  unix.Errno
	}{
		{Root, "/usr/lib/libc.so", true, "usr/lib/libc.so", 0},
		{Root, "lib/libc.so", false, "usr/lib/libc.so", 0},
		{Root, "lib64/libc.so", false, "usr/lib/libc.so", 0},
		{Root, "lib64", false, "lib64", 0},
		{Root, "lib64", true, "usr/lib", 0},
		{Root, "lib64/", false, "usr/lib", 0},
		{Root, "bin/sh", true, "usr/bin/busybox", 0},
		{Root, "bin/sh", false, "usr/bin/sh", 0},
		{Root, "bin/up", true, "usr/lib/libc.so", 0},
		{Root, "bin/dotdot/lib", false, "usr/lib", 0},
		{Root, "lib/..", false, "usr", 0}, // ".." after a link leaves its target
		{Root, "lib/../bin/busybox", false, "usr/bin/busybox", 0},
		{usr, "bin/busybox", false, "usr/bin/busybox", 0},
		{usr, "../etc/passwd", false, "etc/passwd", 0},
		{usr, "/etc//./passwd", false, "etc/passwd", 0},
		{usr, "../../../..", false, "/", 0},
		{Root, "etc/self/self/self/passwd", false, "etc/passwd", 0},
		{Root, "slashdir", true, "usr/lib", 0},
		{Root, "dangling", false, "dangling", 0},
		{Root, "dangling", true, "", unix.ENOENT},
		{Root, "dangling/x", false, "", unix.ENOENT},
		{Root, "nope", false, "", unix.ENOENT},
		{Root, "", false, "", unix.ENOENT},
		{Root, "empty", true, "", unix.ENOENT},
		{Root, "etc/passwd/x", false, "", unix.ENOTDIR},
		{Root, "etc/passwd/", false, "", unix.ENOTDIR},
		{Root, "etc/passwd/.", false, "", unix.ENOTDIR},
		{Root, "tofile", false, "tofile", 0},
		{Root, "tofile", true, "", unix.ENOTDIR},
		{Root, "loop", false, "loop", 0},
		{Root, "loop", true, "", unix.ELOOP},
		{Root, "loop/x", false, "", unix.ELOOP},
		{mustLookup(t, a, "etc/passwd"), "x", false, "", unix.ENOTDIR},
		{-1, "x", false, "", unix.ENOTDIR},
		{Root, strings.Repeat("x", NameMax+1), false, "", unix.ENAMETOOLONG},
		{Root, strings.Repeat("a/", PathMax/2), false, "", unix.ENAMETOOLONG},
	}
	for _, tt := range tests {
		got, errno := a.Walk(tt.dir, []byte(tt.path), tt.follow)
		if errno != tt.errno {
			t.Errorf("Walk(%d, %q, %v) = %d, %v; want %v", tt.dir, tt.path, tt.follow, got, errno, tt.errno)
			continue
		}
		if errno == 0 && got != mustLookup(t, a, tt.want) {
			t.Errorf("Walk(%d, %q, %v) = %q, want %q", tt.dir, tt.path, tt.follow, pathOf(a, got, nil), tt.want)
		}
	}
}

// TestWalkLinkLimit follows a chain of exactly MaxSymlinks links, and fails
// on one more.
func TestWalkLinkLimit(t *testing.T) {
	var recs []cpio.Record
	recs = append(recs, cpio.StaticFile("end", "x", 0o644))
	name := func(i int) string { return "l" + strings.Repeat("x", i) }
	for i := range MaxSymlinks + 1 {
		target := "end"
		if i > 0 {
			target = name(i - 1)
		}
		recs = append(recs, cpio.Symlink(name(i), target))
	}
	a := index(t, initrdtest.Newc(t, recs...))
	if got, errno := a.Walk(Root, []byte(name(MaxSymlinks-1)), true); errno != 0 || got != mustLookup(t, a, "end") {
		t.Errorf("%d links: %d, %v", MaxSymlinks, got, errno)
	}
	if _, errno := a.Walk(Root, []byte(name(MaxSymlinks)), true); errno != unix.ELOOP {
		t.Errorf("%d links: %v", MaxSymlinks+1, errno)
	}
}

func TestChild(t *testing.T) {
	a := index(t, sample(t))
	usr := mustLookup(t, a, "usr")
	if c, ok := a.Child(usr, []byte("lib")); !ok || c != mustLookup(t, a, "usr/lib") {
		t.Errorf("usr/lib: %d, %v", c, ok)
	}
	if c, ok := a.Child(Root, []byte("init")); !ok || c != mustLookup(t, a, "init") {
		t.Errorf("init: %d, %v", c, ok)
	}
	for _, name := range []string{"", ".", "..", "lib/go", "li", "libx", "go", "zzz"} {
		if c, ok := a.Child(usr, []byte(name)); ok {
			t.Errorf("Child(usr, %q) = %d", name, c)
		}
	}
	if _, ok := a.Child(mustLookup(t, a, "init"), []byte("x")); ok {
		t.Errorf("child of a file")
	}
	// Every entry is the child of its parent by its name.
	for i := 1; i < a.Len(); i++ {
		if c, ok := a.Child(a.Parent(i), a.Name(i)); !ok || c != i {
			t.Errorf("entry %d: Child = %d, %v", i, c, ok)
		}
	}
}

func TestPath(t *testing.T) {
	a := index(t, sample(t))
	buf := make([]byte, 64)
	for _, p := range []string{"/", "/usr/lib/go/lib.a", "/etc"} {
		got, ok := a.Path(mustLookup(t, a, p), buf)
		if !ok || string(got) != p {
			t.Errorf("Path of %s = %q, %v", p, got, ok)
		}
	}
	i := mustLookup(t, a, "usr/lib/go")
	if _, ok := a.Path(i, buf[:11]); !ok {
		t.Errorf("exact fit failed")
	}
	if _, ok := a.Path(i, buf[:10]); ok {
		t.Errorf("short buffer accepted")
	}
	if _, ok := a.Path(Root, nil); ok {
		t.Errorf("empty buffer accepted")
	}
	if _, ok := a.Path(-1, buf); ok {
		t.Errorf("bad index accepted")
	}
}

func TestWalkAllocs(t *testing.T) {
	a := linkTree(t)
	var buf [PathMax]byte
	paths := [][]byte{[]byte("bin/sh"), []byte("lib64/libc.so"), []byte("loop")}
	allocs := testing.AllocsPerRun(50, func() {
		for _, p := range paths {
			i, _ := a.Walk(Root, p, true)
			a.Path(i, buf[:])
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations", allocs)
	}
}
