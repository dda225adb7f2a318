package kernel

import (
	"golang.org/x/sys/unix"

	"warren.dev/fs/tmpfs"
	"warren.dev/kernel/cpu"
	"warren.dev/kernel/files"
	"warren.dev/kernel/sockabi"
)

// The kernel's part of sockets: creating them, and answering getsockname
// and getpeername from addresses the socket layer records. Go's net
// package makes these calls with RawSyscall, which keeps its P: served by
// the socket layer they could deadlock a program with GOMAXPROCS=1.
//
// A socket's number is its open file description's index with a
// generation in the high bits, so a number is never reused while the
// socket layer may still hold the old socket.

// sockInfo is what the kernel knows of a socket (indexed like openFiles).
type sockInfo struct {
	gen                uint16
	domain, typ, proto int32
	pair               int32 // the other half of a socketpair, or -1
	local, peer        [sockaddrMax]byte
	localLen, peerLen  uint8
}

const sockaddrMax = 128

var sockets [maxFiles]sockInfo

func socketMeta(sock int32) (*sockInfo, bool) {
	if sock < 0 {
		return nil, false
	}
	i := sock & 0xffff
	if int(i) >= maxFiles || sockets[i].gen != uint16(sock>>16) || openFiles[i].kind != kindSocket {
		return nil, false
	}
	return &sockets[i], true
}

func socketFile(sock int32) (*openFile, bool) {
	if _, ok := socketMeta(sock); !ok {
		return nil, false
	}
	return &openFiles[sock&0xffff], true
}

// newSocket makes a socket's open file description and a descriptor
// for it in process p's table.
//
// Context: kernel (no allocation, no pointer stores).
func newSocket(p, domain, typ, proto int32, flags uint32) (int, int32, unix.Errno) {
	file, e := newFile(kindSocket, 0, unix.O_RDWR|flags&unix.O_NONBLOCK)
	if e != 0 {
		return 0, 0, e
	}
	m := &sockets[file]
	*m = sockInfo{gen: m.gen + 1, domain: domain, typ: typ, proto: proto, pair: -1}
	sock := int32(m.gen&0x7fff)<<16 | file
	m.gen &= 0x7fff
	openFiles[file].obj = sock
	fd, e := installFDIn(p, file, 0, flags&unix.O_CLOEXEC != 0)
	if e != 0 {
		return 0, 0, e
	}
	return fd, sock, 0
}

// sysSocket creates a socket of a family and type the socket layer
// serves: IPv4 and IPv6 stream and datagram sockets (and ICMP echo
// sockets), NETLINK_ROUTE, and AF_UNIX stream, datagram and seqpacket
// sockets.
//
// Context: kernel (no allocation, no pointer stores).
func sysSocket(f *cpu.TrapFrame) (uint64, unix.Errno) {
	domain, typ, proto, flags := socketArgs(f)
	if e := socketKind(domain, typ, proto); e != 0 {
		return 0, e
	}
	fd, _, e := newSocket(curProc(), domain, typ, proto, flags)
	return uint64(fd), e
}

// socketArgs splits socket(2)'s and socketpair(2)'s first arguments:
// SOCK_NONBLOCK and SOCK_CLOEXEC come off the type as descriptor flags.
func socketArgs(f *cpu.TrapFrame) (domain, typ, proto int32, flags uint32) {
	domain, typ, proto = int32(f.RDI), int32(f.RSI), int32(f.RDX)
	flags = uint32(typ) & (unix.SOCK_NONBLOCK | unix.SOCK_CLOEXEC)
	return domain, typ &^ (unix.SOCK_NONBLOCK | unix.SOCK_CLOEXEC), proto, flags
}

// socketKind checks that the socket layer serves sockets of domain, typ
// and proto (sockabi.Serves), and that it has announced itself.
//
// Context: kernel (no allocation, no pointer stores).
func socketKind(domain, typ, proto int32) unix.Errno {
	if !socketLayer {
		return unix.EAFNOSUPPORT
	}
	return sockabi.Serves(domain, typ, proto)
}

// sysSocketpair makes two connected AF_UNIX sockets: the kernel makes
// both descriptors and links the sockets (Request.Pair), and the socket
// layer connects them when either is first used. Each one's peer is
// unnamed from the start, as on Linux.
//
// Context: kernel (no allocation, no pointer stores).
func sysSocketpair(f *cpu.TrapFrame) (uint64, unix.Errno) {
	domain, typ, proto, flags := socketArgs(f)
	if domain == unix.AF_INET || domain == unix.AF_INET6 {
		return 0, unix.EOPNOTSUPP
	}
	if domain != unix.AF_UNIX {
		return 0, unix.EAFNOSUPPORT
	}
	if e := socketKind(domain, typ, proto); e != 0 {
		return 0, e
	}
	if e := probeUser(f.R10, 8, true); e != 0 {
		return 0, e
	}
	p := curProc()
	fd0, s0, e := newSocket(p, domain, typ, proto, flags)
	if e != 0 {
		return 0, e
	}
	fd1, s1, e := newSocket(p, domain, typ, proto, flags)
	if e != 0 {
		closeFDIn(p, uint64(fd0))
		return 0, e
	}
	for _, h := range [2][2]int32{{s0, s1}, {s1, s0}} {
		m, _ := socketMeta(h[0])
		m.pair = h[1]
		m.peer[0], m.peerLen = unix.AF_UNIX, 2
	}
	e = store32(f.R10, uint32(fd0))
	if e == 0 {
		e = store32(f.R10+4, uint32(fd1))
	}
	if e != 0 { // a sibling thread unmapped sv since the probe
		closeFDIn(p, uint64(fd0))
		closeFDIn(p, uint64(fd1))
	}
	return 0, e
}

func sysGetsockname(f *cpu.TrapFrame) (uint64, unix.Errno) { return sockName(f, false) }
func sysGetpeername(f *cpu.TrapFrame) (uint64, unix.Errno) { return sockName(f, true) }

// sockName copies a recorded address out, truncated to the caller's
// length, which it updates to the full length (Linux semantics).
//
// Context: kernel (no allocation, no pointer stores).
func sockName(f *cpu.TrapFrame, peer bool) (uint64, unix.Errno) {
	of, e := lookupFD(f.RDI)
	if e != 0 {
		return 0, e
	}
	if of.kind != kindSocket {
		return 0, unix.ENOTSOCK
	}
	m, _ := socketMeta(of.obj)
	addr, n := m.local[:], int(m.localLen)
	if peer {
		if m.peerLen == 0 {
			return 0, unix.ENOTCONN
		}
		addr, n = m.peer[:], int(m.peerLen)
	} else if n == 0 {
		n = unboundName(m, addr)
	}
	have, e := load32(f.RDX)
	if e != 0 {
		return 0, e
	}
	if int32(have) < 0 {
		return 0, unix.EINVAL
	}
	if e := copyOut(f.RSI, addr[:min(n, int(have))]); e != 0 {
		return 0, e
	}
	return 0, store32(f.RDX, uint32(n))
}

// unboundName writes the address of an unbound socket of m's family: the
// wildcard address, port 0.
func unboundName(m *sockInfo, b []byte) int {
	clear(b)
	b[0] = byte(m.domain)
	switch m.domain {
	case unix.AF_INET:
		return unix.SizeofSockaddrInet4
	case unix.AF_INET6:
		return unix.SizeofSockaddrInet6
	case unix.AF_UNIX:
		return 2 // the family alone: an unnamed socket
	}
	return unix.SizeofSockaddrNetlink
}

// sysSetAddr records a socket's local or peer address.
//
// Context: kernel (no allocation, no pointer stores).
func sysSetAddr(f *cpu.TrapFrame) (uint64, unix.Errno) {
	m, ok := socketMeta(int32(f.RDI))
	if !ok {
		return 0, unix.EBADF
	}
	n := f.R10
	if n > sockaddrMax || f.RSI > 1 {
		return 0, unix.EINVAL
	}
	dst, l := &m.local, &m.localLen
	if f.RSI == 1 {
		dst, l = &m.peer, &m.peerLen
	}
	if e := copyIn(dst[:n], f.RDX); e != 0 {
		return 0, e
	}
	*l = uint8(n)
	return 0, 0
}

// sysUnixName makes or finds the socket file of a path-named unix
// socket in the tmpfs: the socket layer keeps the sockets, the file
// system their names.
//
// Context: kernel (no allocation, no pointer stores).
func sysUnixName(f *cpu.TrapFrame) (uint64, unix.Errno) {
	switch f.RDI {
	case sockabi.UnixBind:
		var scratch files.Scratch
		w, e := tmpTarget(unix.AT_FDCWD, f.RSI, tmpfs.Parent, &scratch)
		if e != 0 {
			return 0, e
		}
		if w.Ino != tmpfs.None {
			return 0, unix.EADDRINUSE
		}
		// The socket layer (the program) binds for the caller: the
		// program's umask applies.
		ino, e := tmp.Mknod(w, unix.S_IFSOCK|0o777&^umask(), 0, 0)
		return uint64(ino), e
	case sockabi.UnixFind:
		ino, e := tmpExisting(unix.AT_FDCWD, f.RSI, true)
		switch {
		case e == unix.EROFS: // in the read-only tree: no socket there
			return 0, unix.ECONNREFUSED
		case e != 0:
			return 0, e
		case tmp.Mode(ino)&unix.S_IFMT != unix.S_IFSOCK:
			return 0, unix.ECONNREFUSED
		}
		return uint64(ino), 0
	}
	return 0, unix.EINVAL
}
