package sockets

import (
	"encoding/binary"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"warren.dev/kernel/sockabi"
)

// FakeKernel is a Kernel for tests that plays the kernel's part of
// sockets: the caller's memory is one byte slice at a base address
// (anything outside it faults); it hands out requests (Request) and
// serves copies and installs only for those not yet done (Done), makes
// sockets and descriptors, answers getsockname and getpeername from the
// addresses the layer sets, and records readiness and files.
type FakeKernel struct {
	base uint64

	mu       sync.Mutex
	mem      []byte
	brk      int // next free offset for Alloc
	fds      map[int]fakeFD
	socks    map[int32]*fakeSock
	nextFD   int
	nextSock int32
	readies  int
	gen      uint64 // the descriptor table's generation
	lookups  int
	changed  chan struct{} // closed and replaced at every Ready
	files    map[string][]byte
	// sockFiles are the socket files of path-named unix sockets, by path,
	// with their inode numbers.
	sockFiles map[string]uint64
	nextIno   uint64
	// inFlight are SCM_RIGHTS references, by slot, on sockets; released
	// are the OpReleases their last drops made, for the test to serve.
	inFlight map[int32]int32
	nextSlot int32
	released []sockabi.Request
	lastID   uint64          // of the last request handed out; 0 is never one
	serving  map[uint64]bool // requests handed out and not yet done
	// regular are the contents of regular files sendfile reads, by the
	// number AddFile gave them.
	regular map[int32][]byte
	// pipes are the program's pipe descriptors (AddPipe).
	pipes map[int]*fakePipe
}

type fakeFD struct {
	sock  int32
	flags uint32
}

// fakeSock is what the kernel knows of a socket.
type fakeSock struct {
	domain, typ, proto int32
	pair               int32 // the other half of a socketpair, or -1
	local, peer        []byte
	events             uint32
	refs               int // descriptors
}

// FakeBase is where FakeKernel's memory starts; address 0 always faults.
const FakeBase = 0x10000

// FakePID is the process id of FakeKernel's callers.
const FakePID = 42

// NewFakeKernel returns a fake with size bytes of caller memory.
func NewFakeKernel(size int) *FakeKernel {
	return &FakeKernel{
		base:      FakeBase,
		mem:       make([]byte, size),
		fds:       map[int]fakeFD{},
		socks:     map[int32]*fakeSock{},
		nextFD:    3,
		nextSock:  1,
		changed:   make(chan struct{}),
		files:     map[string][]byte{},
		sockFiles: map[string]uint64{},
		inFlight:  map[int32]int32{},
		serving:   map[uint64]bool{},
	}
}

func (k *FakeKernel) Install(id uint64, flags uint32, domain, typ, proto int32) (int, int32, unix.Errno) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if !k.serving[id] && id != sockabi.DirectID {
		return 0, 0, unix.EINVAL
	}
	fd, sock := k.newSocketLocked(flags, domain, typ, proto)
	return fd, sock, 0
}

func (k *FakeKernel) newSocketLocked(flags uint32, domain, typ, proto int32) (int, int32) {
	sock := k.nextSock
	k.nextSock++
	k.socks[sock] = &fakeSock{domain: domain, typ: typ, proto: proto, pair: -1, refs: 1}
	fd := k.nextFD
	k.nextFD++
	k.fds[fd] = fakeFD{sock, flags & (unix.O_NONBLOCK | unix.O_CLOEXEC)}
	k.gen++
	return fd, sock
}

func (k *FakeKernel) Ready(sock int32, events uint32) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if s := k.socks[sock]; s != nil {
		s.events = events
	}
	k.readies++
	close(k.changed)
	k.changed = make(chan struct{})
}

func (k *FakeKernel) SetAddr(sock int32, peer bool, sa []byte) {
	k.mu.Lock()
	defer k.mu.Unlock()
	s := k.socks[sock]
	if s == nil {
		return
	}
	if peer {
		s.peer = append([]byte(nil), sa...)
	} else {
		s.local = append([]byte(nil), sa...)
	}
}

// Call serves the socket calls the kernel answers itself: socket,
// socketpair, getsockname and getpeername. ok is false for the rest.
func (k *FakeKernel) Call(nr uint64, args ...uint64) (v uint64, e unix.Errno, ok bool) {
	var a [6]uint64
	copy(a[:], args)
	switch nr {
	case unix.SYS_SOCKET:
		v, e = k.socket(int32(a[0]), int32(a[1]), int32(a[2]))
	case unix.SYS_SOCKETPAIR:
		e = k.socketpair(int32(a[0]), int32(a[1]), int32(a[2]), a[3])
	case unix.SYS_GETSOCKNAME, unix.SYS_GETPEERNAME:
		// The kernel answers in its caller's memory; the fake does so
		// through a request of its own, to reuse writeSockaddr.
		r := k.Request(nr, args...)
		e = k.name(r.ID, int(int32(a[0])), nr == unix.SYS_GETPEERNAME, a[1], a[2])
		k.Done(r.ID)
	default:
		return 0, 0, false
	}
	return v, e, true
}

// socket checks what the kernel's socket(2) checks (kernel/socket.go)
// and makes the socket.
func (k *FakeKernel) socket(domain, typ, proto int32) (uint64, unix.Errno) {
	flags := uint32(typ) & (unix.SOCK_NONBLOCK | unix.SOCK_CLOEXEC)
	typ &^= unix.SOCK_NONBLOCK | unix.SOCK_CLOEXEC
	if e := sockabi.Serves(domain, typ, proto); e != 0 {
		return 0, e
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	fd, _ := k.newSocketLocked(flags, domain, typ, proto)
	return uint64(fd), 0
}

// socketpair makes two linked AF_UNIX sockets and stores their
// descriptors at sv, as the kernel's socketpair(2) does: the layer
// connects them on first use.
func (k *FakeKernel) socketpair(domain, typ, proto int32, sv uint64) unix.Errno {
	flags := uint32(typ) & (unix.SOCK_NONBLOCK | unix.SOCK_CLOEXEC)
	typ &^= unix.SOCK_NONBLOCK | unix.SOCK_CLOEXEC
	switch {
	case domain == unix.AF_INET || domain == unix.AF_INET6:
		return unix.EOPNOTSUPP
	case domain != unix.AF_UNIX:
		return unix.EAFNOSUPPORT
	}
	if e := sockabi.Serves(domain, typ, proto); e != 0 {
		return e
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	m, ok := k.window(sv, 8)
	if !ok {
		return unix.EFAULT
	}
	fd0, s0 := k.newSocketLocked(flags, domain, typ, proto)
	fd1, s1 := k.newSocketLocked(flags, domain, typ, proto)
	k.socks[s0].pair, k.socks[s1].pair = s1, s0
	k.socks[s0].peer = []byte{unix.AF_UNIX, 0}
	k.socks[s1].peer = []byte{unix.AF_UNIX, 0}
	binary.LittleEndian.PutUint32(m, uint32(fd0))
	binary.LittleEndian.PutUint32(m[4:], uint32(fd1))
	return 0
}

// name answers getsockname or getpeername, for request id, with Linux's
// truncation.
func (k *FakeKernel) name(id uint64, fd int, peer bool, addr, lenAddr uint64) unix.Errno {
	k.mu.Lock()
	f, ok := k.fds[fd]
	var sa []byte
	if ok {
		s := k.socks[f.sock]
		sa = s.local
		if peer {
			sa = s.peer
		} else if len(sa) == 0 {
			sa = make([]byte, map[int32]int{unix.AF_INET: 16, unix.AF_INET6: 28, unix.AF_NETLINK: 12, unix.AF_UNIX: 2}[s.domain])
			sa[0] = byte(s.domain)
		}
	}
	k.mu.Unlock()
	switch {
	case !ok:
		return unix.EBADF
	case peer && len(sa) == 0:
		return unix.ENOTCONN
	}
	return writeSockaddr(caller{k: k, id: id}, sa, addr, lenAddr)
}

// Request hands out the request the kernel would forward for system call
// nr on the descriptor in args[0] (Sock -1 if it is none), with a new ID
// that copies and installs may name until Done.
func (k *FakeKernel) Request(nr uint64, args ...uint64) sockabi.Request {
	r := sockabi.Request{Op: sockabi.OpSyscall, Nr: nr, Sock: -1, Pair: -1, TID: 1, PID: FakePID}
	copy(r.Args[:], args)
	k.mu.Lock()
	defer k.mu.Unlock()
	k.lastID++
	r.ID = k.lastID
	k.serving[r.ID] = true
	if addr, n, ok := sockabi.InlineBuf(nr, &r.Args); ok {
		if m, ok := k.window(addr, int(n)); ok {
			r.InlineLen = uint32(copy(r.Inline[:], m))
		}
	}
	if f, ok := k.fds[int(int32(r.Args[0]))]; ok {
		s := k.socks[f.sock]
		r.Sock, r.Flags = f.sock, f.flags
		r.Domain, r.Type, r.Protocol, r.Pair = s.domain, s.typ, s.proto, s.pair
	}
	return r
}

// Lookup describes descriptor fd as the kernel's SysLookup does.
func (k *FakeKernel) Lookup(fd int) (sockabi.SockInfo, unix.Errno) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.lookups++
	f, ok := k.fds[fd]
	switch {
	case k.pipes[fd] != nil:
		return sockabi.SockInfo{Gen: k.gen}, unix.ENOTSOCK
	case !ok:
		return sockabi.SockInfo{Gen: k.gen}, unix.EBADF
	}
	s := k.socks[f.sock]
	return sockabi.SockInfo{Sock: f.sock, Flags: f.flags, Domain: s.domain, Type: s.typ, Protocol: s.proto, Pair: s.pair, PID: FakePID, Gen: k.gen}, 0
}

// LookupGen is the descriptor table's generation, which every change of
// a descriptor or its flags moves, as the kernel's does.
func (k *FakeKernel) LookupGen() uint64 {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.gen
}

// Lookups counts Lookup calls.
func (k *FakeKernel) Lookups() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.lookups
}

// Done ends request id, as the kernel's SysReply does: copies and
// installs naming it fail from now on.
func (k *FakeKernel) Done(id uint64) {
	k.mu.Lock()
	defer k.mu.Unlock()
	delete(k.serving, id)
}

// Sock returns the socket behind descriptor fd, or -1.
func (k *FakeKernel) Sock(fd int) int32 {
	k.mu.Lock()
	defer k.mu.Unlock()
	if f, ok := k.fds[fd]; ok {
		return f.sock
	}
	return -1
}

// Close drops descriptor fd. When it was its socket's last descriptor,
// last is set and rel is the OpRelease the kernel then sends.
func (k *FakeKernel) Close(fd int) (rel sockabi.Request, last, ok bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	f, ok := k.fds[fd]
	if !ok {
		return rel, false, false
	}
	delete(k.fds, fd)
	k.gen++
	rel, last = k.unrefLocked(f.sock)
	return rel, last, true
}

// unrefLocked drops a reference on sock; the last one makes its release.
func (k *FakeKernel) unrefLocked(sock int32) (sockabi.Request, bool) {
	s := k.socks[sock]
	if s.refs--; s.refs > 0 {
		return sockabi.Request{}, false
	}
	delete(k.socks, sock)
	k.lastID++
	return sockabi.Request{ID: k.lastID, Op: sockabi.OpRelease, Sock: sock, Domain: s.domain, Type: s.typ, Protocol: s.proto, Pair: s.pair}, true
}

// RightsGet takes a reference on fd's socket into a slot.
func (k *FakeKernel) RightsGet(id uint64, fd int32) (int32, unix.Errno) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if !k.serving[id] && id != sockabi.DirectID {
		return 0, unix.EINVAL
	}
	f, ok := k.fds[int(fd)]
	if !ok {
		return 0, unix.EBADF
	}
	if len(k.inFlight) >= sockabi.MaxInFlight {
		return 0, unix.ETOOMANYREFS
	}
	k.socks[f.sock].refs++
	k.nextSlot++
	k.inFlight[k.nextSlot] = f.sock
	return k.nextSlot, 0
}

// RightsInstall gives the slot's socket a new descriptor.
func (k *FakeKernel) RightsInstall(id uint64, slot int32, flags uint32) (int, unix.Errno) {
	k.mu.Lock()
	defer k.mu.Unlock()
	sock, ok := k.inFlight[slot]
	switch {
	case !k.serving[id] && id != sockabi.DirectID:
		return 0, unix.EINVAL
	case !ok:
		return 0, unix.EINVAL
	}
	if flags&sockabi.RightsKeep != 0 {
		k.socks[sock].refs++
	} else {
		delete(k.inFlight, slot)
	}
	fd := k.nextFD
	k.nextFD++
	k.fds[fd] = fakeFD{sock, flags & unix.O_CLOEXEC}
	k.gen++
	return fd, 0
}

// RightsPut drops the slot's reference.
func (k *FakeKernel) RightsPut(slot int32) {
	k.mu.Lock()
	defer k.mu.Unlock()
	sock, ok := k.inFlight[slot]
	if !ok {
		return
	}
	delete(k.inFlight, slot)
	if rel, last := k.unrefLocked(sock); last {
		k.released = append(k.released, rel)
	}
}

// InFlight counts the references in flight.
func (k *FakeKernel) InFlight() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.inFlight)
}

// Released returns, and forgets, the OpReleases that dropped references
// made: the kernel would queue them for the layer.
func (k *FakeKernel) Released() []sockabi.Request {
	k.mu.Lock()
	defer k.mu.Unlock()
	r := k.released
	k.released = nil
	return r
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
		k.gen++
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
	if s := k.socks[sock]; s != nil {
		return s.events
	}
	return 0
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
		var ev uint32
		k.mu.Lock()
		if s := k.socks[sock]; s != nil {
			ev = s.events
		}
		ch := k.changed
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
