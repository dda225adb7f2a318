package files

import (
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"warren.dev/fs/tmpfs"
)

// getcwd is c's path as getcwd(2) gives it, or the error's name.
func getcwd(c *Cwd, fs *tmpfs.FS) string {
	var b [PathMax]byte
	n, e := c.Getcwd(fs, &b)
	if e != 0 {
		return unix.ErrnoName(e)
	}
	if b[n-1] != 0 {
		return "no NUL"
	}
	return string(b[:n-1])
}

// walked is where p leads in the tree's tmpfs, for a call that makes or
// removes it.
func walked(t *testing.T, tr *Tree, p string, s *Scratch) tmpfs.Walked {
	t.Helper()
	r, e := tr.Lookup(root, []byte(p), tmpfs.Parent, nil, s)
	if e != 0 || !r.InTmp {
		t.Fatalf("%s: %+v, %v", p, r, e)
	}
	return r.Tmp
}

func TestCwdReadOnlyTree(t *testing.T) {
	tr := image(t)
	var c Cwd
	c.Start([]byte("/data"))
	if got := getcwd(&c, tr.Tmp); got != "/data" {
		t.Errorf("getcwd = %q", got)
	}
	if r, e := lookup(tr, c.Dir(), "a.txt", true); e != 0 || entryPath(t, tr, r) != "/data/a.txt" {
		t.Errorf("a.txt from the working directory: %+v, %v", r, e)
	}
	c.SetPath(tr.Tmp, []byte("/"+strings.Repeat("d", PathMax-1)))
	if got := getcwd(&c, tr.Tmp); got != "ENAMETOOLONG" {
		t.Errorf("getcwd of a PATH_MAX path = %q, want ENAMETOOLONG", got)
	}
}

// TestCwdTmp: a working directory in /tmp follows a rename, says ENOENT
// once removed, and holds its inode until the last process lets go.
func TestCwdTmp(t *testing.T) {
	tr := image(t)
	free := func() uint64 { return tr.Tmp.Statfs().Ffree }
	var parent, child Cwd
	parent.Start(nil)
	child.Start(nil)
	parent.SetTmp(tr.Tmp, tmpfs.Root)
	if got := getcwd(&parent, tr.Tmp); got != "/tmp" {
		t.Errorf("getcwd at the tmpfs root = %q", got)
	}
	d := mkdir(t, tr, "/tmp/d")
	parent.SetTmp(tr.Tmp, d)
	child.Inherit(tr.Tmp, &parent)
	var s1, s2 Scratch
	if e := tr.Tmp.Rename(walked(t, tr, "/tmp/d", &s1), walked(t, tr, "/tmp/e", &s2), false); e != 0 {
		t.Fatal(e)
	}
	if got := getcwd(&child, tr.Tmp); got != "/tmp/e" {
		t.Errorf("getcwd after a rename = %q, want /tmp/e", got)
	}
	if r, e := lookup(tr, child.Dir(), "..", true); e != 0 || !r.InTmp || r.Tmp.Ino != tmpfs.Root {
		t.Errorf(".. from /tmp/e: %+v, %v", r, e)
	}
	before := free()
	if e := tr.Tmp.Rmdir(walked(t, tr, "/tmp/e", &s1)); e != 0 {
		t.Fatal(e)
	}
	if got := getcwd(&parent, tr.Tmp); got != "ENOENT" {
		t.Errorf("getcwd after rmdir = %q, want ENOENT", got)
	}
	child.Drop(tr.Tmp)
	if free() != before {
		t.Error("the directory was freed while the parent holds it")
	}
	parent.SetPath(tr.Tmp, []byte("/"))
	if free() != before+1 {
		t.Error("the directory outlived the last working directory in it")
	}
	if got := getcwd(&parent, tr.Tmp); got != "/" {
		t.Errorf("getcwd after chdir / = %q", got)
	}
}

// TestCwdTmpTooDeep: a working directory deeper than PATH_MAX is
// reached, but getcwd says ENAMETOOLONG.
func TestCwdTmpTooDeep(t *testing.T) {
	tr := image(t)
	name := []byte(strings.Repeat("n", 255))
	var c Cwd
	c.Start(nil)
	c.SetTmp(tr.Tmp, tmpfs.Root)
	for range 17 {
		var s Scratch
		r, e := tr.Lookup(c.Dir(), name, tmpfs.Parent, nil, &s)
		if e != 0 {
			t.Fatal(e)
		}
		ino, e := tr.Tmp.Mkdir(r.Tmp, 0o755, 0, 0)
		if e != 0 {
			t.Fatal(e)
		}
		c.SetTmp(tr.Tmp, ino)
	}
	if got := getcwd(&c, tr.Tmp); got != "ENAMETOOLONG" {
		t.Errorf("getcwd 17×256 bytes deep = %q, want ENAMETOOLONG", got)
	}
}

func TestChdir(t *testing.T) {
	tr := image(t)
	mkdir(t, tr, "/tmp/d")
	var c Cwd
	c.Start([]byte("/"))
	for _, s := range []struct{ path, want string }{
		{"bin", "/bin"},
		{"..", "/"},
		{"/scratch", "ENOENT"}, // an initrd link to a missing /tmp/s
		{"/tmp/d", "/tmp/d"},
		{"..", "/tmp"},
		{"../data", "/data"},
		{"a.txt", "ENOTDIR"},
		{"/dev/null", "ENOTDIR"},
		{"/etc/hosts", "ENOTDIR"},
		{"/bin/sh", "ENOTDIR"}, // followed: a file
	} {
		before := getcwd(&c, tr.Tmp)
		r, e := lookup(tr, c.Dir(), s.path, true)
		if e == 0 {
			e = tr.Chdir(&c, r)
		}
		got := getcwd(&c, tr.Tmp)
		if e != 0 {
			got = unix.ErrnoName(e)
			if after := getcwd(&c, tr.Tmp); after != before {
				t.Errorf("a failed chdir %s moved %s to %s", s.path, before, after)
			}
		}
		if got != s.want {
			t.Errorf("chdir %s: %s, want %s", s.path, got, s.want)
		}
	}
}
