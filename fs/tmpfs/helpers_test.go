package tmpfs

import (
	"testing"

	"golang.org/x/sys/unix"
)

// fakeEnv serves pages from a slice; address i*PageSize+PageSize is page
// i, so 0 is never a page. Freed pages are poisoned to catch a use after
// free.
type fakeEnv struct {
	pages [][PageSize]byte
	free  []uint64
	inUse map[uint64]bool
	max   int // pages it may hand out at once; 0: no limit
	now   int64
}

func newFakeEnv() *fakeEnv { return &fakeEnv{inUse: map[uint64]bool{}} }

func (f *fakeEnv) AllocPage() (uint64, bool) {
	if f.max > 0 && len(f.inUse) >= f.max {
		return 0, false
	}
	var pa uint64
	if n := len(f.free); n > 0 {
		pa, f.free = f.free[n-1], f.free[:n-1]
	} else {
		f.pages = append(f.pages, [PageSize]byte{})
		pa = uint64(len(f.pages)) * PageSize
	}
	f.inUse[pa] = true
	return pa, true
}

func (f *fakeEnv) FreePage(pa uint64) {
	if !f.inUse[pa] {
		panic("free of a page not in use")
	}
	delete(f.inUse, pa)
	for i := range f.Page(pa) {
		f.Page(pa)[i] = 0xa5
	}
	f.free = append(f.free, pa)
}

func (f *fakeEnv) Page(pa uint64) *[PageSize]byte { return &f.pages[pa/PageSize-1] }

func (f *fakeEnv) Now() int64 { f.now++; return f.now }

// newFS makes a file system of limit bytes and ninodes inodes.
func newFS(t *testing.T, limit uint64, ninodes int) (*FS, *fakeEnv) {
	t.Helper()
	env := newFakeEnv()
	fs := new(FS)
	fs.Init(env, make([]Inode, ninodes), limit)
	return fs, env
}

// walk resolves p from the root; an escape fails the test.
func walk(t *testing.T, fs *FS, p string, last Last) (Walked, unix.Errno) {
	t.Helper()
	scratch := make([]byte, 4096)
	w, e := fs.Walk(Root, []byte(p), last, scratch)
	if e == 0 && w.Escape != nil {
		t.Fatalf("walk %q escaped: %q", p, w.Escape)
	}
	return w, e
}

// walkOpen walks p for an open with flags, as the kernel does.
func walkOpen(t *testing.T, fs *FS, p string, flags int) (Walked, unix.Errno) {
	w, e := walk(t, fs, p, OpenLast(flags))
	if e != 0 {
		return w, e
	}
	again, e := fs.OpenAgain(w, flags)
	if again {
		return walk(t, fs, p, Follow)
	}
	return w, e
}
