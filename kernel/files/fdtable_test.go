package files

import (
	"slices"
	"testing"

	"golang.org/x/sys/unix"
)

// fakeDescs counts references on up to 16 descriptions and records the
// ones freed.
type fakeDescs struct {
	refs  [16]int32
	freed []int32
}

func (d *fakeDescs) Hold(f int32) { d.refs[f]++ }

func (d *fakeDescs) Release(f int32) {
	d.refs[f]--
	if d.refs[f] == 0 {
		d.freed = append(d.freed, f)
	}
	if d.refs[f] < 0 {
		panic("released below zero")
	}
}

// open makes description f with one reference and installs it.
func (d *fakeDescs) open(t *testing.T, tab *Table, f int32, min, limit int, cloexec bool) int {
	t.Helper()
	d.refs[f]++
	fd, e := Install(d, tab, f, min, limit, cloexec)
	if e != 0 {
		t.Fatalf("install %d: %v", f, e)
	}
	return fd
}

func newTable() *Table {
	t := new(Table)
	t.Clear()
	return t
}

// fileOf is the description behind fd, or -1.
func fileOf(tab *Table, fd uint64) int32 {
	f, _ := tab.File(fd)
	return f
}

// TestLowestFree: a new descriptor is the lowest free one, at or above
// the minimum F_DUPFD asks for, below the process's limit.
func TestLowestFree(t *testing.T) {
	var d fakeDescs
	tab := newTable()
	for f := int32(0); f < 5; f++ {
		if fd := d.open(t, tab, f, 0, 64, false); fd != int(f) {
			t.Fatalf("descriptor %d for the %dth open", fd, f)
		}
	}
	Close(&d, tab, 1)
	Close(&d, tab, 3)
	if fd := d.open(t, tab, 5, 0, 64, false); fd != 1 {
		t.Errorf("open after closing 1 and 3 got %d, want 1", fd)
	}
	if fd, e := Dup(&d, tab, 0, 2, 64, false); fd != 3 || e != 0 {
		t.Errorf("dup at or above 2: %d, %v; want 3", fd, e)
	}
	if fd, e := Dup(&d, tab, 0, 10, 64, false); fd != 10 || e != 0 {
		t.Errorf("dup at or above 10: %d, %v; want 10", fd, e)
	}
	if d.refs[0] != 3 {
		t.Errorf("description 0 has %d references, want 3 (fds 0, 3, 10)", d.refs[0])
	}
	if _, e := Dup(&d, tab, 7, 0, 64, false); e != unix.EBADF {
		t.Errorf("dup of a closed descriptor: %v, want EBADF", e)
	}
	if e := Close(&d, tab, 7); e != unix.EBADF {
		t.Errorf("close of a closed descriptor: %v, want EBADF", e)
	}
	if e := Close(&d, tab, 1<<40); e != unix.EBADF {
		t.Errorf("close of a huge descriptor: %v, want EBADF", e)
	}
}

// TestLimit: at RLIMIT_NOFILE a new descriptor fails with EMFILE and the
// reference it would have taken over is dropped; raising the limit lets
// the table grow, up to MaxFDs.
func TestLimit(t *testing.T) {
	var d fakeDescs
	tab := newTable()
	for range 4 {
		d.open(t, tab, 0, 0, 4, false)
	}
	if _, e := Dup(&d, tab, 0, 0, 4, false); e != unix.EMFILE {
		t.Fatalf("dup at the limit: %v, want EMFILE", e)
	}
	d.refs[1] = 1
	if _, e := Install(&d, tab, 1, 0, 4, false); e != unix.EMFILE || !slices.Equal(d.freed, []int32{1}) {
		t.Fatalf("install at the limit: %v, freed %v; want EMFILE, [1]", e, d.freed)
	}
	if d.refs[0] != 4 {
		t.Fatalf("description 0 has %d references after the failed dup, want 4", d.refs[0])
	}
	if fd, e := Dup(&d, tab, 0, 0, 5, false); fd != 4 || e != 0 {
		t.Fatalf("dup with the limit raised: %d, %v; want 4", fd, e)
	}
	// A limit beyond the table is the table's size.
	for fd := 5; fd < MaxFDs; fd++ {
		if _, e := Dup(&d, tab, 0, 0, 2*MaxFDs, false); e != 0 {
			t.Fatalf("dup to fill fd %d: %v", fd, e)
		}
	}
	if _, e := Dup(&d, tab, 0, 0, 2*MaxFDs, false); e != unix.EMFILE {
		t.Fatalf("dup with a full table: %v, want EMFILE", e)
	}
	CloseAll(&d, tab)
	if d.refs[0] != 0 || !slices.Equal(d.freed, []int32{1, 0}) {
		t.Errorf("after closing all: %d references, freed %v", d.refs[0], d.freed)
	}
}

// TestDupTo: dup2 and dup3 make newfd share oldfd's description with its
// own close-on-exec flag, closing what newfd named first; a bad oldfd
// leaves newfd alone.
func TestDupTo(t *testing.T) {
	var d fakeDescs
	tab := newTable()
	d.open(t, tab, 0, 0, 64, false) // fd 0
	d.open(t, tab, 1, 0, 64, false) // fd 1
	if fd, e := DupTo(&d, tab, 0, 1, true); fd != 1 || e != 0 {
		t.Fatalf("dup3(0, 1, O_CLOEXEC): %d, %v", fd, e)
	}
	if fileOf(tab, 1) != 0 || !tab.CloseOnExec(1) || tab.CloseOnExec(0) {
		t.Errorf("fd 1 names %d (cloexec %v), fd 0 cloexec %v; want 0, true, false", fileOf(tab, 1), tab.CloseOnExec(1), tab.CloseOnExec(0))
	}
	if !slices.Equal(d.freed, []int32{1}) || d.refs[0] != 2 {
		t.Errorf("freed %v, description 0 has %d references; want [1], 2", d.freed, d.refs[0])
	}
	if fd, e := DupTo(&d, tab, 0, 40, false); fd != 40 || e != 0 || fileOf(tab, 40) != 0 {
		t.Errorf("dup2 to a free descriptor: %d, %v", fd, e)
	}
	if _, e := DupTo(&d, tab, 5, 1, false); e != unix.EBADF || fileOf(tab, 1) != 0 {
		t.Errorf("dup2 from a closed descriptor: %v, fd 1 names %d; want EBADF, 0", e, fileOf(tab, 1))
	}
	if _, e := DupTo(&d, tab, 0, MaxFDs, false); e != unix.EBADF || d.refs[0] != 3 {
		t.Errorf("dup2 beyond the table: %v, %d references; want EBADF, 3", e, d.refs[0])
	}
	// Descriptions are shared: closing one descriptor keeps the other.
	Close(&d, tab, 0)
	if d.refs[0] != 2 || len(d.freed) != 1 {
		t.Errorf("after closing fd 0: %d references, freed %v", d.refs[0], d.freed)
	}
}

// TestExecAndInherit: a forked table names the same descriptions with
// the same flags; exec closes only the close-on-exec descriptors of the
// table it runs in, and F_SETFD changes the flag.
func TestExecAndInherit(t *testing.T) {
	var d fakeDescs
	parent, child := newTable(), newTable()
	d.open(t, parent, 0, 0, 64, false)
	d.open(t, parent, 1, 0, 64, true)
	d.open(t, parent, 2, 0, 64, true)
	parent.SetCloseOnExec(2, false)
	Inherit(&d, child, parent)
	for fd, want := range []bool{false, true, false} {
		if fileOf(child, uint64(fd)) != int32(fd) || child.CloseOnExec(uint64(fd)) != want {
			t.Fatalf("child fd %d: names %d, cloexec %v", fd, fileOf(child, uint64(fd)), child.CloseOnExec(uint64(fd)))
		}
	}
	if d.refs != [16]int32{2, 2, 2} {
		t.Fatalf("references after inherit: %v", d.refs[:3])
	}
	Exec(&d, child)
	if fileOf(child, 0) != 0 || fileOf(child, 1) != -1 || fileOf(child, 2) != 2 {
		t.Errorf("child after exec: %d %d %d; want 0 -1 2", fileOf(child, 0), fileOf(child, 1), fileOf(child, 2))
	}
	if fileOf(parent, 1) != 1 || d.refs[1] != 1 || len(d.freed) != 0 {
		t.Errorf("parent's fd 1 after the child's exec: %d, %d references, freed %v", fileOf(parent, 1), d.refs[1], d.freed)
	}
	CloseAll(&d, parent)
	CloseAll(&d, child)
	if d.refs != [16]int32{} || len(d.freed) != 3 {
		t.Errorf("after both close all: references %v, freed %v", d.refs[:3], d.freed)
	}
}

// TestTableNoAlloc: descriptor operations run in kernel context.
func TestTableNoAlloc(t *testing.T) {
	d := new(fakeDescs)
	tab := newTable()
	d.open(t, tab, 0, 0, 64, false)
	allocs := testing.AllocsPerRun(100, func() {
		fd, _ := Dup(d, tab, 0, 0, 64, false)
		DupTo(d, tab, 0, 9, true)
		Close(d, tab, uint64(fd))
		Exec(d, tab)
	})
	if allocs != 0 || d.refs[0] != 1 || len(d.freed) != 0 {
		t.Errorf("%v allocations a round; %d references, freed %v", allocs, d.refs[0], d.freed)
	}
}

// TestGenerationMoves: every change of what a descriptor names moves the
// generation, and reading a descriptor does not.
func TestGenerationMoves(t *testing.T) {
	d := new(fakeDescs)
	tab, child := newTable(), newTable()
	step := func(what string, tab *Table, f func()) {
		t.Helper()
		g := tab.Gen().Load()
		f()
		if tab.Gen().Load() == g {
			t.Errorf("%s left the generation at %d", what, g)
		}
	}
	step("install", tab, func() { d.open(t, tab, 0, 0, 64, false) })
	step("dup", tab, func() { Dup(d, tab, 0, 0, 64, false) })
	step("dup2 onto an open descriptor", tab, func() { DupTo(d, tab, 0, 1, false) })
	step("close", tab, func() { Close(d, tab, 1) })
	step("a description's flags", tab, tab.Changed)
	step("inherit", child, func() { Inherit(d, child, tab) })
	step("exec", child, func() { child.SetCloseOnExec(0, true); Exec(d, child) })
	g := tab.Gen().Load()
	tab.File(0)
	Close(d, tab, 40) // not open: nothing changes
	if tab.Gen().Load() != g {
		t.Error("a lookup or a failed close moved the generation")
	}
}
