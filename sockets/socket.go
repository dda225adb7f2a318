package sockets

import (
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"
	"gvisor.dev/gvisor/pkg/waiter"
)

// socket is one socket of the layer: an inet endpoint, a netlink socket
// or a unix socket. Methods take and return kernel-side values only; handlers do
// the copying.
type socket interface {
	state() *sockState
	// readiness is the EPOLL* events ready now, with sockabi.ExactIO or
	// ExactAccept when, in the socket's state, a call missing its event
	// would block.
	readiness() uint32
	// close releases the socket; blocked calls wake and fail.
	close()

	bind(l *Layer, sa []byte) unix.Errno
	name() ([]byte, unix.Errno)
	peer() ([]byte, unix.Errno)
	shutdown(how int) unix.Errno
	// send writes b (to the address to, if any) and returns the count.
	send(l *Layer, b, to []byte, flags int, blk block) (int, unix.Errno)
	// recv reads into b.
	recv(l *Layer, b []byte, flags int, blk block, wantFrom bool) (recvResult, unix.Errno)
	getsockopt(l *Layer, level, name int) ([]byte, unix.Errno)
	setsockopt(l *Layer, level, name int, v []byte) unix.Errno
	// inq is the byte count FIONREAD reports.
	inq() (int, unix.Errno)
}

// listener is a socket that can take connections.
type listener interface {
	socket
	listen(backlog int32) unix.Errno
	// accept takes one connection, not yet installed, and its peer's
	// address.
	accept(l *Layer, blk block) (socket, []byte, unix.Errno)
}

// connector is a socket that connects to an address; a blocking connect
// waits for the connection.
type connector interface {
	socket
	connect(l *Layer, sa []byte, blk block) unix.Errno
}

// recvResult is what one receive produced.
type recvResult struct {
	n     int    // bytes placed in the buffer
	ret   int    // the call's result: n, or a datagram's full length with MSG_TRUNC
	from  []byte // the sender's address, for datagrams when asked
	flags int    // msg_flags: MSG_TRUNC
	// rights are descriptors received in flight (unix sockets'
	// SCM_RIGHTS slots); peeked says they stay in flight.
	rights []int32
	peeked bool
	// cred asks for SCM_CREDENTIALS: the sender was process pid.
	cred bool
	pid  int32
}

// sockState is what every socket shares: identity, and the readiness last
// reported to the kernel.
type sockState struct {
	layer  *Layer
	id     int32
	family int
	stype  int // SOCK_STREAM, SOCK_DGRAM, SOCK_RAW
	proto  int

	wq    *waiter.Queue
	entry waiter.Entry // the readiness waiter on wq

	queued atomic.Bool   // in the readiness queue
	want   atomic.Uint32 // events a caller found missing (EAGAIN)

	rmu         sync.Mutex // orders reports; guards below
	live        bool       // numbered by the kernel: reports go to it
	closed      bool
	last        uint32 // events last reported
	local, peer []byte // addresses last given to the kernel
}

func (s *sockState) state() *sockState { return s }

// Readiness events reported to the kernel.
const reportEvents = waiter.EventIn | waiter.EventPri | waiter.EventOut | waiter.EventErr | waiter.EventHUp | waiter.EventRdHUp

// Events blocking calls wait for.
const (
	waitIn  = waiter.ReadableEvents | waiter.EventHUp | waiter.EventErr
	waitOut = waiter.WritableEvents | waiter.EventHUp | waiter.EventErr
)
