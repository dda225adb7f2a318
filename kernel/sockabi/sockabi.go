// Package sockabi is the contract between the kernel and the socket layer
// (package warren.dev/sockets), which runs as goroutines of the program:
// the kernel owns the descriptor table and epoll, and forwards socket
// system calls to the socket layer as requests; the socket layer answers
// them, installs descriptors for new sockets and reports readiness.
package sockabi

import "golang.org/x/sys/unix"

// Warren's system calls for the socket layer (kernel/systab.go installs
// them; above Linux's numbers).
const (
	// SysServe (buf *Request, size, id, result, errno) first completes
	// request id as SysReply does, unless id is 0 (failing with EINVAL
	// and going no further if id is not being served), then blocks until
	// a forwarded call is waiting and copies it to buf.
	SysServe = 507
	// SysReply (id, result, errno) completes request id: the caller's
	// system call returns result, or -errno if errno is not 0.
	SysReply = 508
	// SysInstall (flags, domain, type, protocol, id) makes a socket and a
	// descriptor for it (O_NONBLOCK/O_CLOEXEC from flags) in the
	// descriptor table of request id's caller, for sockets the socket
	// layer creates itself (accept). It returns fd | sock<<32. The
	// descriptor's last close is forwarded as OpRelease.
	SysInstall = 509
	// SysReady (sock, events) records the EPOLL* events ready on a socket
	// and wakes pollers. A report that only takes events away is not an
	// edge for EPOLLET waiters; one that adds events, or repeats the last
	// (a caller found one missing since), is. events may carry ExactIO and
	// ExactAccept.
	SysReady = 510
	// SysCopyIn (addr, buf, n, id) copies n bytes from the memory of
	// request id's caller at addr to buf, checked as any system call
	// argument: EFAULT on a bad range.
	SysCopyIn = 511
	// SysCopyOut (addr, buf, n, id) copies n bytes from buf to the memory
	// of request id's caller at addr, checked.
	//
	// In SysInstall, SysCopyIn and SysCopyOut, id is a Request.ID: the
	// kernel serves requests of several processes at once, and id names
	// the one whose address space and descriptor table to use. They fail
	// with EINVAL if id is not being served (handed out by SysServe and
	// not yet replied to).
	SysCopyOut = 512
	// SysSetFile (path, pathLen, data, dataLen) sets the contents of a
	// read-only file the kernel serves (/etc/resolv.conf and friends).
	SysSetFile = 513
	// SysSetAddr (sock, which, addr, len) records a socket's local
	// (which=0) or peer (which=1) address as a sockaddr of len bytes (0
	// clears it), which the kernel answers getsockname and getpeername
	// from. The socket layer calls it whenever they may have changed.
	SysSetAddr = 514
	// SysLookup (fd, info) copies the SockInfo of the program's socket
	// descriptor fd to info: EBADF if fd is not open, ENOTSOCK if it is
	// not a socket. It is how the program serves its own socket calls
	// without forwarding them (docs/socket-path.md): the descriptor table
	// stays the kernel's.
	SysLookup = 522
	// SysLookupGen returns the address of the program's descriptor-table
	// generation, a uint64 it may read at any time (atomically) and never
	// write. A SockInfo from SysLookup stays true while the word holds its
	// Gen, so the program need not ask again (sockets/lookcache.go).
	// Only the program may call it.
	SysLookupGen = 536
	// SysUnixName (op, path) gives a path-named AF_UNIX socket its file
	// in the file system; path is a NUL-terminated string in the socket
	// layer's memory, relative to the working directory. UnixBind makes a
	// socket file there (EADDRINUSE if the name exists, EROFS outside the
	// writable tree); UnixFind finds the socket file a path names
	// (ENOENT, ECONNREFUSED if it is no socket). Both return its inode
	// number, which names the socket while the file exists.
	SysUnixName = 530
	// SysRightsGet (fd, id) takes a reference on the open file behind
	// descriptor fd of request id's caller, for a descriptor sent with
	// SCM_RIGHTS, and returns its in-flight slot: EBADF if fd is not
	// open, ETOOMANYREFS when MaxInFlight references are in flight.
	SysRightsGet = 531
	// SysRightsInstall (slot, flags, id) gives request id's caller a
	// descriptor for the file in slot (O_CLOEXEC from flags) and returns
	// it. The slot's reference moves to the descriptor, or with
	// RightsKeep in flags stays (MSG_PEEK): the descriptor takes one of
	// its own. On EMFILE a moved reference is dropped.
	SysRightsInstall = 532
	// SysRightsPut (slot) drops an in-flight reference: its message was
	// dropped or its receiver asked for no descriptors. The last
	// reference closes the file.
	SysRightsPut = 533
	// SysFileRead (file, off, buf, n, id) reads up to n bytes at off of
	// the regular file a forwarded sendfile reads (its Args[1]) into buf,
	// and returns the count; for a splice to a socket, the pipe's
	// buffered bytes from off past its read position, which stay in the
	// pipe until the reply says how many were sent.
	SysFileRead = 535
	// SysPipeWrite (file, buf, n, id) buffers up to n bytes at buf in the
	// pipe a forwarded splice from a socket fills (its Args[1]), and
	// returns the count: all of them when n is at most the splice's
	// count, the room the kernel found and holds for it.
	SysPipeWrite = 537
	// SysSpliceHold (fd_in, off_in, fd_out, off_out, len, flags) is the
	// program's splice between a pipe and a non-blocking socket, which it
	// serves itself without forwarding (docs/socket-path.md): splice's
	// checks and pipe waits, as splice(2) makes them, then the pipe held
	// as for a forwarded splice. It returns the pipe's open file in the
	// low 32 bits and, above them, the count (as Rewritten describes
	// both); a count of 0 holds nothing and is splice's result. For
	// another pair it does nothing and fails with ENOTSOCK: make the
	// splice system call. SysFileRead and SysPipeWrite with DirectID
	// then move the bytes.
	SysSpliceHold = 538
	// SysSpliceRelease (file, dir, n) ends SysSpliceHold's hold of open
	// file file after moving n bytes in direction dir (SpliceToSocket:
	// they leave the pipe).
	SysSpliceRelease = 539
)

// Rewritten are the calls the kernel's own handler forwards, with
// arguments it rewrote, when their first descriptor is a socket:
// sendfile(out_fd, in_fd, offset, count) goes with in_fd's open file in
// Args[1] (held until the reply), the offset to read from in Args[2]
// (resolved from the pointer or the file position) and count in Args[3];
// the reply is the bytes sent, by which the kernel moves the offset.
// splice(fd, file, count, dir) between a socket and a pipe goes with the
// socket's descriptor in Args[0], the pipe's open file in Args[1] (held
// until the reply, its other readers and writers waiting), in Args[2] a
// count the pipe has bytes (SpliceToSocket) or room (SpliceFromSocket)
// for, and the direction in Args[3]; the reply is the bytes moved, which
// the kernel takes from the pipe when they went to the socket.
var Rewritten = [...]uint64{40, 275}

// Directions of a forwarded splice (its Args[3]).
const (
	SpliceFromSocket = 0 // received from the socket into the pipe (SysPipeWrite)
	SpliceToSocket   = 1 // read from the pipe (SysFileRead) and sent
)

// MaxInFlight bounds the descriptors in flight in the whole machine
// (sent and not yet received or dropped).
const MaxInFlight = 1024

// RightsKeep is SysRightsInstall's flag for a peek: the file stays in
// flight.
const RightsKeep = 1

// SysUnixName's operations.
const (
	UnixBind = 0
	UnixFind = 1
)

// Bits a SysReady report may carry beside the EPOLL* events (above every
// epoll event bit, below EPOLLEXCLUSIVE and the other flags): they say
// that the events are exact for some calls, so that the kernel answers
// such a call on a non-blocking descriptor (or with MSG_DONTWAIT) with
// EAGAIN itself, without a round trip to the socket layer, when the event
// it needs is missing and no error or hang-up is reported.
const (
	// ExactIO: a read or receive without EPOLLIN, and a write or send
	// without EPOLLOUT, would block (a connected stream, a datagram
	// socket).
	ExactIO = 1 << 24
	// ExactAccept: an accept without EPOLLIN would block (a listening
	// socket).
	ExactAccept = 1 << 25
	// ExactMask is both.
	ExactMask = ExactIO | ExactAccept
)

// DirectID stands for the program itself in SysInstall, for a call it
// serves without forwarding (SysLookup): no request is in flight, and
// the new descriptor goes into the program's own table.
const DirectID = 0

// SockInfo describes a socket descriptor, as SysLookup copies it out.
type SockInfo struct {
	Sock  int32  // as Request.Sock
	Flags uint32 // the descriptor's status flags, as Request.Flags
	// Domain, Type, Protocol, Pair and PID as in Request.
	Domain, Type, Protocol, Pair, PID int32
	_                                 int32
	// Gen is the table's generation (SysLookupGen) the answer was true
	// at. SysLookup sets it even when it fails, so that a descriptor
	// that is not a socket can be remembered as one.
	Gen uint64
}

// SockInfoSize is the size of SockInfo in bytes.
const SockInfoSize = 8*4 + 8

// The kernel creates sockets itself (socket(2) and socketpair(2) return
// at once) and answers getsockname and getpeername: Go's net package and
// syscall.Socketpair make those calls with RawSyscall, holding its P, so
// with GOMAXPROCS=1 the socket layer could not run to serve them. The
// socket layer makes a socket's endpoint on the first request that names
// it (Request.Domain, Type and Protocol say what to make) and pushes
// addresses with SysSetAddr.

// Op says what a request asks for.
type Op uint32

const (
	// OpSyscall: the caller made system call Nr with Args.
	OpSyscall Op = iota
	// OpRelease: the last descriptor of socket Sock was closed. SysReply
	// follows once the socket is closed (its port or name free): a close
	// waits for it.
	OpRelease
	// OpInterrupt: the caller of request Args[0], which the socket layer
	// is serving, has a signal to handle. A call sleeping for it stops
	// and replies ErrRestart (or EINTR when a timeout was set, as Linux
	// does); a call that is not sleeping finishes as usual. No reply is
	// expected; an unknown or finished id is ignored.
	OpInterrupt
)

// ErrRestart is the errno a call replies when a signal ended its sleep
// before it did anything: the kernel runs the call again after the
// signal's handler if the handler was installed with SA_RESTART (or no
// handler runs), and fails it with EINTR otherwise. It is Linux's
// internal ERESTARTSYS and never reaches user code.
const ErrRestart = 512

// Request is one forwarded call, as SysServe copies it out.
type Request struct {
	ID uint64 // to pass to SysReply
	Op Op
	// Pair is the other socket of a socketpair(2), made with Sock, or -1:
	// the socket layer makes both halves, connected, on the first request
	// naming either (an OpRelease of a half never used among them).
	Pair int32
	Nr   uint64    // Linux system-call number
	Args [6]uint64 // its arguments, as the caller passed them
	// Sock is the socket behind the call's descriptor argument (Args[0]
	// for read, write, sendto, ...): a number the kernel chose, unique
	// while the socket is open.
	Sock int32
	// Flags are the descriptor's status flags (O_NONBLOCK) at the call.
	Flags uint32
	// TID is the calling thread.
	TID int32
	// Domain, Type (with SOCK_NONBLOCK and SOCK_CLOEXEC cleared) and
	// Protocol are the socket's, as socket(2) was called.
	Domain, Type, Protocol int32
	// PID is the calling process's id, for unix sockets' credentials
	// (SCM_CREDENTIALS, SO_PEERCRED); 0 when no caller waits.
	PID int32
	// InlineLen bytes of the caller's buffer (InlineBuf) are in Inline,
	// copied when the call was forwarded; 0 when none were.
	InlineLen uint32
	Inline    [InlineSize]byte
}

// RequestSize is the size of Request in bytes, checked by SysServe.
const RequestSize = 8 + 4 + 4 + 8 + 6*8 + 4 + 4 + 4 + 4 + 4 + 4 + 4 + 4 + InlineSize

// InlineSize bounds the buffer of a write or sendto that the kernel
// copies into its request, so that the socket layer reads it without a
// SysCopyIn.
const InlineSize = 256

// InlineBuf returns the buffer the kernel copies into a request for
// system call nr with args, if any: a write's or sendto's, whole, when it
// is at most InlineSize bytes. The kernel copies none of a buffer it
// cannot read whole, so the socket layer's own copy fails with EFAULT as
// it would without.
func InlineBuf(nr uint64, args *[6]uint64) (addr, n uint64, ok bool) {
	if nr != unix.SYS_WRITE && nr != unix.SYS_SENDTO || args[2] == 0 || args[2] > InlineSize {
		return 0, 0, false
	}
	return args[1], args[2], true
}

// Forwarded reports whether system call nr is a socket call the socket
// layer serves (its first argument must be a socket descriptor); FDCalls
// are forwarded when their descriptor is a socket.
func Forwarded(nr uint64) bool {
	switch nr {
	case 42, 43, 44, 45, 46, 47, 48, 49, 50, 54, 55, 288, 299, 307:
		// connect, accept, sendto, recvfrom, sendmsg, recvmsg, shutdown,
		// bind, listen, setsockopt, getsockopt, accept4, recvmmsg,
		// sendmmsg (socket, socketpair, getsockname and getpeername are
		// the kernel's)
		return true
	}
	return false
}

// FDCalls are the descriptor calls forwarded when their descriptor is a
// socket: read, write, pread64 (ESPIPE), pwrite64, readv, writev,
// ioctl (FIONREAD and the like), fstat stays with the kernel.
var FDCalls = [...]uint64{0, 1, 16, 17, 18, 19, 20}

// Serves reports, as socket(2)'s errno, whether the socket layer serves
// sockets of domain, type (SOCK_NONBLOCK and SOCK_CLOEXEC cleared) and
// protocol: IPv4 and IPv6 TCP, UDP, ICMP echo and raw IP (SOCK_RAW of
// protocols 1 to 255), NETLINK_ROUTE, and AF_UNIX streams, datagrams and
// seqpackets. The kernel refuses the rest
// before any request is made.
//
// Context: kernel (no allocation, no pointer stores).
func Serves(domain, typ, proto int32) unix.Errno {
	switch domain {
	case unix.AF_INET, unix.AF_INET6:
		switch {
		case typ == unix.SOCK_STREAM && (proto == 0 || proto == unix.IPPROTO_TCP):
		case typ == unix.SOCK_DGRAM && (proto == 0 || proto == unix.IPPROTO_UDP):
		case typ == unix.SOCK_DGRAM && (domain == unix.AF_INET && proto == unix.IPPROTO_ICMP || domain == unix.AF_INET6 && proto == unix.IPPROTO_ICMPV6):
		case typ == unix.SOCK_RAW && proto > 0 && proto <= unix.IPPROTO_RAW:
		case typ == unix.SOCK_STREAM || typ == unix.SOCK_DGRAM || typ == unix.SOCK_RAW:
			return unix.EPROTONOSUPPORT // MPTCP, SCTP, ...
		default:
			return unix.ESOCKTNOSUPPORT
		}
	case unix.AF_NETLINK:
		if typ != unix.SOCK_RAW && typ != unix.SOCK_DGRAM {
			return unix.ESOCKTNOSUPPORT
		}
		if proto != unix.NETLINK_ROUTE {
			return unix.EPROTONOSUPPORT
		}
	case unix.AF_UNIX:
		if typ != unix.SOCK_STREAM && typ != unix.SOCK_DGRAM && typ != unix.SOCK_SEQPACKET {
			return unix.ESOCKTNOSUPPORT
		}
		if proto != 0 && proto != unix.AF_UNIX {
			return unix.EPROTONOSUPPORT
		}
	default:
		return unix.EAFNOSUPPORT
	}
	return 0
}
