package proc

import (
	"fmt"

	"golang.org/x/sys/unix"

	"warren.dev/kernel/procabi"
)

// fakeMemory is a process's memory in a map of pages. It is stricter than
// the kernel: a write must land in writable pages, so the tests see that
// the loader writes before it protects.
type fakeMemory struct {
	pages map[uint64]*fakePage
}

type fakePage struct {
	prot int
	data *[PageSize]byte // nil: all zero
}

// fakeMaxPages bounds what a test maps (the kernel backs pages lazily;
// the fake would allocate a map entry per page).
const fakeMaxPages = 1 << 16

func newFakeMemory() *fakeMemory { return &fakeMemory{pages: map[uint64]*fakePage{}} }

func (m *fakeMemory) Map(addr, length uint64, prot int) error {
	switch {
	case addr%PageSize != 0 || length == 0 || length%PageSize != 0:
		return fmt.Errorf("Map(%#x, %#x): not page-aligned: %w", addr, length, unix.EINVAL)
	case addr < procabi.UserBottom || addr > procabi.UserTop || length > procabi.UserTop-addr:
		return fmt.Errorf("Map(%#x, %#x): outside user memory: %w", addr, length, unix.EINVAL)
	case uint64(len(m.pages))+length/PageSize > fakeMaxPages:
		return fmt.Errorf("Map(%#x, %#x): %w", addr, length, unix.ENOMEM)
	}
	for a := addr; a < addr+length; a += PageSize {
		m.pages[a] = &fakePage{prot: prot}
	}
	return nil
}

func (m *fakeMemory) Protect(addr, length uint64, prot int) error {
	if addr%PageSize != 0 || length%PageSize != 0 {
		return fmt.Errorf("Protect(%#x, %#x): not page-aligned: %w", addr, length, unix.EINVAL)
	}
	for a := addr; a < addr+length; a += PageSize {
		if m.pages[a] == nil {
			return fmt.Errorf("Protect(%#x, %#x): %#x is not mapped: %w", addr, length, a, unix.ENOMEM)
		}
	}
	for a := addr; a < addr+length; a += PageSize {
		m.pages[a].prot = prot
	}
	return nil
}

func (m *fakeMemory) Write(addr uint64, b []byte) error {
	for len(b) > 0 {
		p := m.pages[pageDown(addr)]
		switch {
		case p == nil:
			return fmt.Errorf("Write at %#x: not mapped: %w", addr, unix.EFAULT)
		case p.prot&unix.PROT_WRITE == 0:
			return fmt.Errorf("Write at %#x: not writable: %w", addr, unix.EFAULT)
		case p.data == nil:
			p.data = new([PageSize]byte)
		}
		n := copy(p.data[addr%PageSize:], b)
		addr, b = addr+uint64(n), b[n:]
	}
	return nil
}

// read returns n bytes at addr, which must be mapped.
func (m *fakeMemory) read(addr, n uint64) ([]byte, error) {
	b := make([]byte, 0, n)
	for uint64(len(b)) < n {
		p := m.pages[pageDown(addr)]
		if p == nil {
			return nil, fmt.Errorf("read at %#x: not mapped", addr)
		}
		chunk := min(n-uint64(len(b)), PageSize-addr%PageSize)
		if p.data == nil {
			b = append(b, make([]byte, chunk)...)
		} else {
			b = append(b, p.data[addr%PageSize:][:chunk]...)
		}
		addr += chunk
	}
	return b, nil
}

// prot returns the protection of the page holding addr, -1 if unmapped.
func (m *fakeMemory) prot(addr uint64) int {
	if p := m.pages[pageDown(addr)]; p != nil {
		return p.prot
	}
	return -1
}
