package initrd

import (
	"fmt"
	"slices"
	"testing"
)

// index runs Count and Init.
func index(t testing.TB, ar []byte) *Archive {
	t.Helper()
	n, err := Count(ar)
	if err != nil {
		t.Fatalf("Count: %v", err)
	}
	a := &Archive{}
	if err := a.Init(ar, make([]Entry, n)); err != nil {
		t.Fatalf("Init: %v", err)
	}
	checkTree(t, a)
	return a
}

// hdr is a newc header for hand-made records.
type hdr struct {
	ino, mode, uid, gid, nlink, mtime uint32
	rmajor, rminor                    uint32
}

// rawRecord encodes one record by hand; nameSize < 0 means the true size.
func rawRecord(h hdr, name string, nameSize int, data []byte) []byte {
	if nameSize < 0 {
		nameSize = len(name) + 1
	}
	var b []byte
	b = fmt.Appendf(b, "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		h.ino, h.mode, h.uid, h.gid, h.nlink, h.mtime, len(data), 0, 0, h.rmajor, h.rminor, nameSize, 0)
	b = append(b, name...)
	b = append(b, 0)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	b = append(b, data...)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

func trailerRecord() []byte { return rawRecord(hdr{}, "TRAILER!!!", -1, nil) }

// checkTree verifies the index's invariants: the root first, entries
// sorted and distinct, every entry found by its path, parents that are
// directories, and subtrees that end where they should.
func checkTree(t testing.TB, a *Archive) {
	t.Helper()
	if a.Len() == 0 || !a.IsDir(Root) || len(a.Name(Root)) != 0 {
		t.Fatalf("no root directory")
	}
	var path [PathMax + 1]byte
	for i := range a.Len() {
		p := pathOf(a, i, path[:0])
		if j, ok := a.Lookup(p); !ok || j != i {
			t.Fatalf("entry %d %q: Lookup = %d, %v", i, p, j, ok)
		}
		if i > 0 {
			if !a.IsDir(a.Parent(i)) || a.Parent(i) >= i {
				t.Fatalf("entry %d %q: parent %d", i, p, a.Parent(i))
			}
			if prev := pathOf(a, i-1, nil); comparePaths(newComps(prev), len(prev), newComps(p), len(p)) >= 0 {
				t.Fatalf("entries %q and %q out of order", prev, p)
			}
		}
		e := a.entries[i]
		if int(e.next) <= i || int(e.next) > a.Len() {
			t.Fatalf("entry %d: subtree ends at %d", i, e.next)
		}
		for j := i + 1; j < int(e.next); j++ {
			if a.entries[j].depth <= e.depth {
				t.Fatalf("entry %d in the subtree of %d", j, i)
			}
		}
	}
}

// pathOf builds "/a/b" for entry i by walking up its parents.
func pathOf(a *Archive, i int, buf []byte) []byte {
	if i == Root {
		return append(buf, '/')
	}
	var names [][]byte
	for ; i != Root; i = a.Parent(i) {
		names = append(names, a.Name(i))
	}
	for _, n := range slices.Backward(names) {
		buf = append(buf, '/')
		buf = append(buf, n...)
	}
	return buf
}

// listing reads a whole directory as "name type" strings, without "." and
// "..".
func listing(a *Archive, dir int) []string {
	var out []string
	a.ReadDir(dir, 2, func(d DirEntry) bool {
		if string(d.Name) != "." && string(d.Name) != ".." {
			out = append(out, fmt.Sprintf("%s %d", d.Name, d.Type))
		}
		return true
	})
	return out
}

func mustLookup(t testing.TB, a *Archive, path string) int {
	t.Helper()
	i, ok := a.Lookup([]byte(path))
	if !ok {
		t.Fatalf("Lookup(%q) failed", path)
	}
	return i
}
