package sockets

import (
	"golang.org/x/sys/unix"

	"warren.dev/kernel/sockabi"
)

// Kernel is what handlers need from the kernel. The real one makes
// Warren's socket-layer system calls (System); FakeKernel serves tests.
//
// Calls from different processes are served at once, so copies and
// installs name the request (sockabi.Request.ID) they act for: the kernel
// uses that request's caller's address space and descriptor table, and
// fails with EINVAL if id is not being served (not handed out, or already
// replied to). Handlers reach them through caller.
type Kernel interface {
	// CopyIn copies len(b) bytes of the memory of request id's caller at
	// addr into b: EFAULT if any of the range is not readable.
	CopyIn(id, addr uint64, b []byte) unix.Errno
	// CopyOut copies b to the memory of request id's caller at addr:
	// EFAULT if any of the range is not writable.
	CopyOut(id, addr uint64, b []byte) unix.Errno
	// Install makes a socket of (domain, typ, proto) and a descriptor for
	// it in request id's caller, with the O_NONBLOCK and O_CLOEXEC bits of
	// flags, for a socket the layer created itself (an accepted
	// connection), and returns both. Its last close comes back as
	// OpRelease.
	Install(id uint64, flags uint32, domain, typ, proto int32) (fd int, sock int32, e unix.Errno)
	// Ready records the EPOLL* events ready on sock. Every call is a
	// wake-up: the layer calls it again with the same events when new
	// data, space or a connection arrives after a caller saw EAGAIN, as
	// Linux wakes edge-triggered pollers on every arrival.
	Ready(sock int32, events uint32)
	// SetAddr records sock's local address, or its peer's when peer is
	// set, for the kernel's getsockname and getpeername; nil clears it.
	SetAddr(sock int32, peer bool, sa []byte)
	// SetFile sets the contents of a read-only file the kernel serves.
	SetFile(path string, data []byte)
	// UnixName makes (sockabi.UnixBind) or finds (UnixFind) the socket
	// file of a path-named unix socket and returns its inode number.
	UnixName(op int, path string) (uint64, unix.Errno)
	// RightsGet takes a reference on the file behind request id's
	// caller's descriptor fd, sent with SCM_RIGHTS, and returns its
	// in-flight slot.
	RightsGet(id uint64, fd int32) (slot int32, e unix.Errno)
	// RightsInstall gives request id's caller a descriptor for the file in
	// slot, with O_CLOEXEC from flags; the slot's reference moves to it
	// unless flags has sockabi.RightsKeep.
	RightsInstall(id uint64, slot int32, flags uint32) (int, unix.Errno)
	// RightsPut drops the reference in slot.
	RightsPut(slot int32)
	// ReadFile reads the regular file a sendfile request id reads
	// (its Args[1]) at off into b, and returns the count; for a splice
	// to a socket, the pipe's bytes from off, which stay in the pipe.
	ReadFile(id uint64, file int32, off int64, b []byte) (int, unix.Errno)
	// WritePipe buffers b in the pipe a splice from a socket, request
	// id, fills (its Args[1]), and returns the count.
	WritePipe(id uint64, file int32, b []byte) (int, unix.Errno)
}

// Server is a Kernel that also hands out forwarded calls, and is the
// kernel of the calls the program serves itself (direct.go): Serve's
// source.
type Server interface {
	Kernel
	Program
	// Next completes call id as Reply does, unless id is 0, then waits
	// for the next forwarded call: one kernel call for both.
	Next(r *sockabi.Request, id, result uint64, e unix.Errno) unix.Errno
	// Reply completes call id with result, or with errno e if not 0.
	Reply(id, result uint64, e unix.Errno)
}

// caller is the kernel acting for one request: the memory and descriptor
// table of the process that made it (why its copies are not a
// usercopy.Space: that interface's comment).
type caller struct {
	k  Kernel
	id uint64
	// in is the caller's memory at inAddr, copied into the request
	// (sockabi.InlineBuf): copies from it need no kernel call.
	in     []byte
	inAddr uint64
}

// call is a system call being served: the request, and for a call Direct
// serves, the kernel its copies go through.
type call struct {
	sockabi.Request
	direct *directKernel // nil for a forwarded call
}

// caller returns the kernel acting for r: the program's own, for a call
// Direct serves.
func (l *Layer) caller(r *call) caller {
	if r.direct != nil {
		return caller{k: r.direct, id: r.ID}
	}
	return caller{l.k, r.ID, r.Inline[:r.InlineLen], r.Args[1]}
}

// CopyIn and CopyOut hide b from escape analysis (hide_unsafe.go): a
// Kernel copies and keeps nothing, so the small buffers the handlers
// build for a value or a length stay on their stacks.
func (c caller) CopyIn(addr uint64, b []byte) unix.Errno {
	if off := addr - c.inAddr; addr >= c.inAddr && off <= uint64(len(c.in)) && uint64(len(b)) <= uint64(len(c.in))-off {
		copy(b, c.in[off:])
		return 0
	}
	return c.k.CopyIn(c.id, addr, hideBytes(b))
}

func (c caller) CopyOut(addr uint64, b []byte) unix.Errno {
	return c.k.CopyOut(c.id, addr, hideBytes(b))
}

func (c caller) RightsGet(fd int32) (int32, unix.Errno) { return c.k.RightsGet(c.id, fd) }

func (c caller) RightsInstall(slot int32, flags uint32) (int, unix.Errno) {
	return c.k.RightsInstall(c.id, slot, flags)
}

func (c caller) ReadFile(file int32, off int64, b []byte) (int, unix.Errno) {
	return c.k.ReadFile(c.id, file, off, b)
}

func (c caller) WritePipe(file int32, b []byte) (int, unix.Errno) {
	return c.k.WritePipe(c.id, file, b)
}

func (c caller) Install(flags uint32, domain, typ, proto int32) (int, int32, unix.Errno) {
	return c.k.Install(c.id, flags, domain, typ, proto)
}
