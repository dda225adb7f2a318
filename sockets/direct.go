package sockets

import (
	"sync"

	"golang.org/x/sys/unix"

	"warren.dev/kernel/sockabi"
)

// The program's own socket calls on non-blocking descriptors are served
// here, on the calling goroutine, without a trap to forward them: the
// program and the layer share one address space and one Go runtime
// (docs/socket-path.md). The call runs through the same table and
// handlers as a forwarded one, so errno, EFAULT and readiness are the
// table's; only the kernel the handlers see differs: copies stay inside
// the buffers the caller's typed arguments span, and a new descriptor
// goes into the program's own table (sockabi.DirectID).

// Looker describes the program's socket descriptors (SysLookup).
type Looker interface {
	Lookup(fd int) (sockabi.SockInfo, unix.Errno)
	// LookupGen is the descriptor table's generation now
	// (SysLookupGen): a SockInfo stays true while it equals its Gen.
	LookupGen() uint64
}

// directCall reports whether Direct serves call nr: those the standard
// library's syscall package routes through the hook (tools/build's syscall overlay).
func directCall(nr uint64) bool {
	switch nr {
	case unix.SYS_READ, unix.SYS_WRITE, unix.SYS_ACCEPT4, unix.SYS_BIND, unix.SYS_CONNECT,
		unix.SYS_GETSOCKOPT, unix.SYS_SETSOCKOPT, unix.SYS_LISTEN, unix.SYS_RECVFROM,
		unix.SYS_SENDTO, unix.SYS_RECVMSG, unix.SYS_SENDMSG, unix.SYS_SHUTDOWN:
		return true
	}
	return false
}

// Span is caller memory a call may reach: the bytes B at address Addr.
type Span struct {
	Addr uint64
	B    []byte
}

// Direct serves the program's system call nr with args on the calling
// goroutine, if its descriptor (args[0]) is a non-blocking socket; mem
// holds every buffer the call's pointers may reach. handled reports
// whether it did; if not, the caller makes the system call, which the
// kernel answers or forwards. A call that may sleep is never served
// here: its descriptor is blocking, and the kernel's forwarding gives it
// signals and the scheduler.
func (l *Layer) Direct(look Looker, nr uint64, args [6]uint64, mem []Span) (result uint64, e unix.Errno, handled bool) {
	if !directCall(nr) {
		return 0, 0, false
	}
	info, e := look.Lookup(int(int32(args[0])))
	if e != 0 {
		return 0, 0, false
	}
	c := directRuns.Get().(*directRun)
	c.r = call{Request: sockabi.Request{ID: sockabi.DirectID, Op: sockabi.OpSyscall, Nr: nr, Args: args,
		Sock: info.Sock, Flags: info.Flags, Domain: info.Domain, Type: info.Type, Protocol: info.Protocol, Pair: info.Pair, PID: info.PID},
		direct: &c.k}
	c.k = directKernel{Kernel: l.k, mem: mem}
	if maySleep(&c.r) {
		handled = false
	} else {
		s, e2 := l.admit(&c.r)
		result, e = l.run(&c.r, s, e2)
		handled = true
	}
	*c = directRun{}
	directRuns.Put(c)
	return result, e, handled
}

// directRun is the memory of one call Direct serves, pooled so that a
// call allocates none.
type directRun struct {
	r call
	k directKernel
}

var directRuns = sync.Pool{New: func() any { return new(directRun) }}

// directKernel is the kernel of a call Direct serves: copies reach only
// the buffers of the call's arguments, anything else is EFAULT, as the
// kernel answers a bad pointer.
type directKernel struct {
	Kernel
	mem []Span
}

func (k *directKernel) CopyIn(_, addr uint64, b []byte) unix.Errno {
	m, e := k.span(addr, len(b))
	if e == 0 {
		copy(b, m)
	}
	return e
}

func (k *directKernel) CopyOut(_, addr uint64, b []byte) unix.Errno {
	m, e := k.span(addr, len(b))
	if e == 0 {
		copy(m, b)
	}
	return e
}

// span returns the n bytes at addr, which must lie inside one of the
// call's buffers.
func (k *directKernel) span(addr uint64, n int) ([]byte, unix.Errno) {
	if n == 0 {
		return nil, 0
	}
	for _, m := range k.mem {
		if addr >= m.Addr && addr-m.Addr <= uint64(len(m.B)) && uint64(n) <= uint64(len(m.B))-(addr-m.Addr) {
			return m.B[addr-m.Addr:][:n], 0
		}
	}
	return nil, unix.EFAULT
}
