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

// Program is the kernel as the program's own calls see it: its
// descriptors, and the pipe end of its splices.
type Program interface {
	Looker
	// SpliceHold makes splice's checks and waits for the program's
	// splice(args) between a pipe and a non-blocking socket and holds the
	// pipe (SysSpliceHold): the pipe's open file and the count the
	// layer's splice may move; a count of 0 holds nothing. ENOTSOCK for
	// another pair: the kernel serves it.
	SpliceHold(args [6]uint64) (file int32, count uint64, e unix.Errno)
	// SpliceRelease ends the hold once n bytes moved in direction dir
	// (SysSpliceRelease).
	SpliceRelease(file int32, dir, n uint64)
}

// directCall reports whether Direct serves call nr: those the standard
// library's syscall package routes through the hook (tools/build's syscall overlay).
func directCall(nr uint64) bool {
	switch nr {
	case unix.SYS_READ, unix.SYS_WRITE, unix.SYS_ACCEPT4, unix.SYS_BIND, unix.SYS_CONNECT,
		unix.SYS_GETSOCKOPT, unix.SYS_SETSOCKOPT, unix.SYS_LISTEN, unix.SYS_RECVFROM,
		unix.SYS_SENDTO, unix.SYS_RECVMSG, unix.SYS_SENDMSG, unix.SYS_SHUTDOWN, unix.SYS_SPLICE:
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
// goroutine, if its descriptor (args[0]; for splice, either end's) is a
// non-blocking socket; mem
// holds every buffer the call's pointers may reach. handled reports
// whether it did; if not, the caller makes the system call, which the
// kernel answers or forwards. A call that may sleep is never served
// here: its descriptor is blocking, and the kernel's forwarding gives it
// signals and the scheduler.
func (l *Layer) Direct(p Program, nr uint64, args [6]uint64, mem []Span) (result uint64, e unix.Errno, handled bool) {
	switch {
	case !directCall(nr):
		return 0, 0, false
	case nr == unix.SYS_SPLICE: // its socket may be either end
		return l.directSplice(p, args)
	}
	info, e := p.Lookup(int(int32(args[0])))
	if e != 0 {
		return 0, 0, false
	}
	return l.runDirect(nr, args, info, mem)
}

// directSplice serves splice(args) between a pipe and a non-blocking
// socket: the kernel checks it, waits for the pipe and holds it, and the
// table's splice moves the bytes as it does for a forwarded call (whose
// arguments the kernel rewrites the same way), reading or filling the
// pipe through the kernel. It saves the forwarding, not the pipe: the
// bytes pass through it.
func (l *Layer) directSplice(p Program, args [6]uint64) (uint64, unix.Errno, bool) {
	fd, dir := args[2], uint64(sockabi.SpliceToSocket)
	info, e := p.Lookup(int(int32(fd)))
	if e != 0 {
		fd, dir = args[0], sockabi.SpliceFromSocket
		if info, e = p.Lookup(int(int32(fd))); e != 0 {
			return 0, 0, false // no socket: the kernel's splice
		}
	}
	file, count, e := p.SpliceHold(args)
	switch {
	case e == unix.ENOTSOCK:
		return 0, 0, false
	case e != 0 || count == 0:
		return 0, e, true
	}
	n, e, handled := l.runDirect(unix.SYS_SPLICE, [6]uint64{fd, uint64(file), count, dir}, info, nil)
	if !handled || e != 0 {
		n = 0
	}
	p.SpliceRelease(file, dir, n)
	return n, e, handled
}

// runDirect serves call nr on the socket info describes, unless it may
// sleep.
func (l *Layer) runDirect(nr uint64, args [6]uint64, info sockabi.SockInfo, mem []Span) (result uint64, e unix.Errno, handled bool) {
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
