package files

import (
	"bytes"
	"testing"

	"golang.org/x/sys/unix"
)

// Test memory: one flat range of user addresses from memBase; anything
// else faults.
const memBase = 0x10000

// fakeEnv is a calling thread. Its Wait runs the next of waits, standing
// for what other threads do while it sleeps; with none left the sleep
// lasts until its deadline, or is ended by a signal if it has none.
type fakeEnv struct{ *envState }

type envState struct {
	mem      []byte
	waits    []func() unix.Errno
	slept    int
	notified int
	now      int64
}

func newEnv(size int) fakeEnv { return fakeEnv{&envState{mem: make([]byte, size)}} }

func (e fakeEnv) Resolve(addr, n uint64, write bool) ([]byte, unix.Errno) {
	if addr < memBase || addr+n > memBase+uint64(len(e.mem)) {
		return nil, unix.EFAULT
	}
	return e.mem[addr-memBase : addr-memBase+n], 0
}

func (e fakeEnv) Wait(deadline int64) unix.Errno {
	e.slept++
	if len(e.waits) == 0 {
		if deadline != 0 {
			e.now = max(e.now, deadline)
			return unix.ETIMEDOUT
		}
		return unix.EINTR
	}
	w := e.waits[0]
	e.waits = e.waits[1:]
	return w()
}

func (e fakeEnv) Notify() { e.notified++ }

func (e fakeEnv) Now() int64 { return e.now }

// put stores b in e's memory at addr.
func (e fakeEnv) put(addr uint64, b []byte) { copy(e.mem[addr-memBase:], b) }

// get returns n bytes of e's memory at addr.
func (e fakeEnv) get(addr uint64, n int) []byte {
	return bytes.Clone(e.mem[addr-memBase : addr-memBase+uint64(n)])
}

func wantErrno(t *testing.T, what string, got, want unix.Errno) {
	t.Helper()
	if got != want {
		t.Fatalf("%s: errno %v, want %v", what, got, want)
	}
}

// fakePages hands out pages of Go memory, at most limit at once (0: no
// limit).
type fakePages struct {
	pages map[uint64]*[PageSize]byte
	next  uint64
	limit int
}

func newPages(limit int) *fakePages {
	return &fakePages{pages: map[uint64]*[PageSize]byte{}, next: PageSize, limit: limit}
}

func (m *fakePages) AllocPage() (uint64, bool) {
	if m.limit > 0 && len(m.pages) == m.limit {
		return 0, false
	}
	pa := m.next
	m.next += PageSize
	m.pages[pa] = new([PageSize]byte)
	return pa, true
}

func (m *fakePages) FreePage(pa uint64) {
	if m.pages[pa] == nil {
		panic("fakePages: freeing a page not taken")
	}
	delete(m.pages, pa)
}

func (m *fakePages) Page(pa uint64) *[PageSize]byte { return m.pages[pa] }

// testPages is the pipe tests' memory.
var testPages = newPages(0)
