package sockets

import "golang.org/x/sys/unix"

// FakeKernel's caller memory: one flat region from FakeBase, handed out
// by Alloc, which copies reach as the kernel's would reach a caller.

// window is caller memory [addr, addr+n), or false if any of it is
// outside (an empty range never is). Called with k.mu held.
func (k *FakeKernel) window(addr uint64, n int) ([]byte, bool) {
	if n == 0 {
		return nil, true
	}
	if addr < k.base || n < 0 {
		return nil, false
	}
	off := addr - k.base
	if off > uint64(len(k.mem)) || uint64(n) > uint64(len(k.mem))-off {
		return nil, false
	}
	return k.mem[off:][:n], true
}

// userLocked is the window of a copy for request id: EINVAL, as the
// kernel answers, unless id is being served, so that a handler naming the
// wrong request fails.
func (k *FakeKernel) userLocked(id, addr uint64, n int) ([]byte, unix.Errno) {
	m, ok := k.window(addr, n)
	switch {
	case !k.serving[id]:
		return nil, unix.EINVAL
	case !ok:
		return nil, unix.EFAULT
	}
	return m, 0
}

func (k *FakeKernel) CopyIn(id, addr uint64, b []byte) unix.Errno {
	k.mu.Lock()
	defer k.mu.Unlock()
	m, e := k.userLocked(id, addr, len(b))
	copy(b, m)
	return e
}

func (k *FakeKernel) CopyOut(id, addr uint64, b []byte) unix.Errno {
	k.mu.Lock()
	defer k.mu.Unlock()
	m, e := k.userLocked(id, addr, len(b))
	copy(m, b)
	return e
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
	k.mu.Lock()
	defer k.mu.Unlock()
	m, ok := k.window(addr, n)
	if !ok {
		return nil
	}
	return append(make([]byte, 0, n), m...)
}

// Put copies b to caller memory at addr; false if the range faults.
func (k *FakeKernel) Put(addr uint64, b []byte) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	m, ok := k.window(addr, len(b))
	copy(m, b)
	return ok
}

// Memory is the caller memory, for calls served without forwarding.
func (k *FakeKernel) Memory() Span { return Span{Addr: k.base, B: k.mem} }
