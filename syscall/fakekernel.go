package syscall

import (
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"warren.dev/kernel/sockabi"
)

// FakeKernel is a Kernel for tests: the caller's memory is one byte slice
// at a base address (anything outside it faults), descriptors map to
// sockets as the kernel's table would, and readiness and files are
// recorded.
type FakeKernel struct {
	base uint64

	mu      sync.Mutex
	mem     []byte
	brk     int // next free offset for Alloc
	fds     map[int]fakeFD
	refs    map[int32]int // descriptors per socket
	nextFD  int
	events  map[int32]uint32
	readies int
	changed chan struct{} // closed and replaced at every Ready
	files   map[string][]byte
}

type fakeFD struct {
	sock  int32
	flags uint32
}

// FakeBase is where FakeKernel's memory starts; address 0 always faults.
const FakeBase = 0x10000

// NewFakeKernel returns a fake with size bytes of caller memory.
func NewFakeKernel(size int) *FakeKernel {
	return &FakeKernel{
		base:    FakeBase,
		mem:     make([]byte, size),
		fds:     map[int]fakeFD{},
		refs:    map[int32]int{},
		nextFD:  3,
		events:  map[int32]uint32{},
		changed: make(chan struct{}),
		files:   map[string][]byte{},
	}
}

// span returns the offset of [addr, addr+n) in mem, or false.
func (k *FakeKernel) span(addr uint64, n int) (int, bool) {
	if addr < k.base || n < 0 {
		return 0, false
	}
	off := addr - k.base
	if off > uint64(len(k.mem)) || uint64(n) > uint64(len(k.mem))-off {
		return 0, false
	}
	return int(off), true
}

func (k *FakeKernel) CopyIn(addr uint64, b []byte) unix.Errno {
	if len(b) == 0 {
		return 0
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	off, ok := k.span(addr, len(b))
	if !ok {
		return unix.EFAULT
	}
	copy(b, k.mem[off:])
	return 0
}

func (k *FakeKernel) CopyOut(addr uint64, b []byte) unix.Errno {
	if len(b) == 0 {
		return 0
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	off, ok := k.span(addr, len(b))
	if !ok {
		return unix.EFAULT
	}
	copy(k.mem[off:], b)
	return 0
}

func (k *FakeKernel) Install(sock int32, flags uint32) (int, unix.Errno) {
	k.mu.Lock()
	defer k.mu.Unlock()
	fd := k.nextFD
	k.nextFD++
	k.fds[fd] = fakeFD{sock, flags & (unix.O_NONBLOCK | unix.O_CLOEXEC)}
	k.refs[sock]++
	return fd, 0
}

func (k *FakeKernel) Ready(sock int32, events uint32) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.events[sock] = events
	k.readies++
	close(k.changed)
	k.changed = make(chan struct{})
}

func (k *FakeKernel) SetFile(path string, data []byte) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.files[path] = append([]byte(nil), data...)
}

// Alloc reserves n bytes of caller memory, 16-byte aligned, and returns
// their address. It panics when the memory is exhausted.
func (k *FakeKernel) Alloc(n int) uint64 {
	k.mu.Lock()
	defer k.mu.Unlock()
	off := (k.brk + 15) &^ 15
	if n < 0 || off+n > len(k.mem) {
		panic("FakeKernel: out of memory")
	}
	k.brk = off + n
	return k.base + uint64(off)
}

// Mark returns the allocation point; FreeTo(mark) frees what was
// allocated after it.
func (k *FakeKernel) Mark() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.brk
}

// FreeTo frees every allocation made after Mark returned mark.
func (k *FakeKernel) FreeTo(mark int) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.brk = mark
}

// Bytes returns a copy of n bytes of caller memory at addr, or nil if the
// range faults.
func (k *FakeKernel) Bytes(addr uint64, n int) []byte {
	b := make([]byte, n)
	if k.CopyIn(addr, b) != 0 {
		return nil
	}
	return b
}

// Put copies b to caller memory at addr; false if the range faults.
func (k *FakeKernel) Put(addr uint64, b []byte) bool {
	return k.CopyOut(addr, b) == 0
}

// Request builds the request the kernel would forward for system call nr:
// Sock and Flags come from the descriptor in args[0], except for socket
// and socketpair (Sock -1, as for a descriptor that is no socket).
func (k *FakeKernel) Request(nr uint64, args ...uint64) sockabi.Request {
	r := sockabi.Request{Op: sockabi.OpSyscall, Nr: nr, Sock: -1, TID: 1}
	copy(r.Args[:], args)
	if nr == unix.SYS_SOCKET || nr == unix.SYS_SOCKETPAIR {
		return r
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if f, ok := k.fds[int(int32(r.Args[0]))]; ok {
		r.Sock, r.Flags = f.sock, f.flags
	}
	return r
}

// Close drops descriptor fd and returns its socket, with last set when it
// was the socket's last descriptor (the kernel then sends OpRelease).
func (k *FakeKernel) Close(fd int) (sock int32, last, ok bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	f, ok := k.fds[fd]
	if !ok {
		return -1, false, false
	}
	delete(k.fds, fd)
	k.refs[f.sock]--
	if k.refs[f.sock] > 0 {
		return f.sock, false, true
	}
	delete(k.refs, f.sock)
	return f.sock, true, true
}

// SetNonblock sets or clears O_NONBLOCK on fd, as fcntl(F_SETFL) would.
func (k *FakeKernel) SetNonblock(fd int, on bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if f, ok := k.fds[fd]; ok {
		f.flags &^= unix.O_NONBLOCK
		if on {
			f.flags |= unix.O_NONBLOCK
		}
		k.fds[fd] = f
	}
}

// FDs returns the open descriptors.
func (k *FakeKernel) FDs() []int {
	k.mu.Lock()
	defer k.mu.Unlock()
	var out []int
	for fd := range k.fds {
		out = append(out, fd)
	}
	return out
}

// Events returns the events last reported for sock.
func (k *FakeKernel) Events(sock int32) uint32 {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.events[sock]
}

// Readies counts Ready calls.
func (k *FakeKernel) Readies() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.readies
}

// WaitEvents waits until events reported for sock intersect mask, or the
// timeout passes; it returns the events last reported.
func (k *FakeKernel) WaitEvents(sock int32, mask uint32, timeout time.Duration) uint32 {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		k.mu.Lock()
		ev, ch := k.events[sock], k.changed
		k.mu.Unlock()
		if ev&mask != 0 {
			return ev
		}
		select {
		case <-ch:
		case <-deadline.C:
			return ev
		}
	}
}

// File returns the contents SetFile gave path.
func (k *FakeKernel) File(path string) ([]byte, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	b, ok := k.files[path]
	return b, ok
}
