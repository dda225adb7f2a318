package sockets

import (
	"encoding/binary"
	"net/netip"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	wnet "warren.dev/net"
	"warren.dev/net/link"
	"warren.dev/net/link/memnic"
)

var (
	addrA  = netip.MustParseAddr("10.0.0.1")
	addrB  = netip.MustParseAddr("10.0.0.2")
	addrA6 = netip.MustParseAddr("fd00::1")
	addrB6 = netip.MustParseAddr("fd00::2")
)

// env is a layer over stack A with a fake kernel; B is its peer on a
// memnic pair, reached through the net package's in-program netstack API.
type env struct {
	t    testing.TB
	k    *FakeKernel
	l    *Layer
	a, b *wnet.Stack
	// forward makes every call take the forwarded path; otherwise calls
	// on non-blocking sockets take the program's direct one (Direct), as
	// in a Warren image.
	forward bool
}

func stackConfig(v4, v6 netip.Addr) wnet.Config {
	return wnet.Config{
		NoDAD:      true,
		Interfaces: []wnet.Interface{{Addrs: []netip.Prefix{netip.PrefixFrom(v4, 24), netip.PrefixFrom(v6, 64)}}},
	}
}

func newEnv(t testing.TB) *env {
	t.Helper()
	return newEnvConfig(t, stackConfig(addrA, addrA6))
}

func newEnvConfig(t testing.TB, ca wnet.Config) *env {
	t.Helper()
	na, nb := memnic.Pair(memnic.Options{}, memnic.Options{})
	a, err := wnet.Start(ca, []link.NIC{na})
	if err != nil {
		nb.Close()
		t.Fatalf("start A: %v", err)
	}
	b, err := wnet.Start(stackConfig(addrB, addrB6), []link.NIC{nb})
	if err != nil {
		a.Close()
		t.Fatalf("start B: %v", err)
	}
	e := &env{t: t, k: NewFakeKernel(1 << 20), a: a, b: b, forward: forwardAll}
	e.l = New(e.k, a.Netstack())
	t.Cleanup(func() {
		e.l.Close()
		a.Close()
		b.Close()
	})
	return e
}

// forwardAll makes new envs forward every call (TestUnixForwarded).
var forwardAll bool

// call runs system call nr as the program in a Warren image makes it:
// the kernel answers it, the program serves it itself (Direct), or the
// kernel forwards it.
func (e *env) call(nr uint64, args ...uint64) (uint64, unix.Errno) {
	if v, errno, ok := e.k.Call(nr, args...); ok {
		return v, errno
	}
	if !e.forward {
		var a [6]uint64
		copy(a[:], args)
		if v, errno, ok := e.l.Direct(e.k, nr, a, []Span{e.k.Memory()}); ok {
			return v, errno
		}
	}
	r := e.k.Request(nr, args...)
	defer e.k.Done(r.ID)
	return e.l.Handle(&r)
}

// must is call that fails the test on an error.
func (e *env) must(nr uint64, args ...uint64) uint64 {
	e.t.Helper()
	v, errno := e.call(nr, args...)
	if errno != 0 {
		e.t.Fatalf("%s%v: %v", callName(nr), args, errno)
	}
	return v
}

// fails checks that a call fails with want.
func (e *env) fails(want unix.Errno, nr uint64, args ...uint64) {
	e.t.Helper()
	v, errno := e.call(nr, args...)
	if errno != want {
		e.t.Fatalf("%s%v = %d, %v; want %v", callName(nr), args, v, errno, want)
	}
}

// close drops a descriptor; the last one releases the socket.
func (e *env) close(fd uint64) {
	rel, last, ok := e.k.Close(int(fd))
	if !ok {
		e.t.Fatalf("close %d: no such descriptor", fd)
	}
	if last {
		e.l.Handle(&rel)
	}
	// Files in flight that the release dropped go too.
	for rels := e.k.Released(); len(rels) > 0; rels = e.k.Released() {
		for i := range rels {
			e.l.Handle(&rels[i])
		}
	}
}

// sock is the socket behind fd.
func (e *env) sock(fd uint64) int32 { return e.k.Sock(int(fd)) }

// mem puts b in user memory.
func (e *env) mem(b []byte) uint64 {
	addr := e.k.Alloc(len(b))
	e.k.Put(addr, b)
	return addr
}

func (e *env) buf(n int) uint64 { return e.k.Alloc(n) }

func (e *env) int32p(v int32) uint64 {
	return e.mem(binary.LittleEndian.AppendUint32(nil, uint32(v)))
}

func (e *env) u32(addr uint64) uint32 { return binary.LittleEndian.Uint32(e.k.Bytes(addr, 4)) }

// sockaddr puts ap in user memory as sockaddr_in or sockaddr_in6 and
// returns its address and length.
func (e *env) sockaddr(ap netip.AddrPort, family int) (uint64, uint64) {
	var b []byte
	if family == unix.AF_INET {
		b = make([]byte, sizeofSockaddrInet4)
		binary.LittleEndian.PutUint16(b, unix.AF_INET)
		a := ap.Addr().As4()
		copy(b[4:], a[:])
	} else {
		b = make([]byte, sizeofSockaddrInet6)
		binary.LittleEndian.PutUint16(b, unix.AF_INET6)
		a := ap.Addr().As16()
		copy(b[8:], a[:])
	}
	binary.BigEndian.PutUint16(b[2:], ap.Port())
	return e.mem(b), uint64(len(b))
}

// parseSockaddr decodes an inet socket address.
func parseSockaddr(b []byte) netip.AddrPort {
	port := binary.BigEndian.Uint16(b[2:])
	switch binary.LittleEndian.Uint16(b) {
	case unix.AF_INET:
		return netip.AddrPortFrom(netip.AddrFrom4([4]byte(b[4:8])), port)
	case unix.AF_INET6:
		return netip.AddrPortFrom(netip.AddrFrom16([16]byte(b[8:24])), port)
	}
	return netip.AddrPort{}
}

// name reads back an address a call stored with a length pointer.
func (e *env) name(nr uint64, fd uint64) netip.AddrPort {
	e.t.Helper()
	sa, n := e.buf(maxAddrLen), e.int32p(maxAddrLen)
	e.must(nr, fd, sa, n)
	return parseSockaddr(e.k.Bytes(sa, int(e.u32(n))))
}

// waitEvents waits for fd's reported events to intersect mask.
func (e *env) waitEvents(fd uint64, mask uint32) uint32 {
	e.t.Helper()
	ev := e.k.WaitEvents(e.sock(fd), mask, 10*time.Second)
	if ev&mask == 0 {
		e.t.Fatalf("fd %d: events %#x, waited for %#x", fd, ev, mask)
	}
	return ev
}

// setInt is setsockopt with a C int.
func (e *env) setInt(fd uint64, level, name int, v int32) {
	e.t.Helper()
	e.must(unix.SYS_SETSOCKOPT, fd, uint64(level), uint64(name), e.int32p(v), 4)
}

// getInt is getsockopt of a C int.
func (e *env) getInt(fd uint64, level, name int) int32 {
	e.t.Helper()
	v, n := e.buf(4), e.int32p(4)
	e.must(unix.SYS_GETSOCKOPT, fd, uint64(level), uint64(name), v, n)
	return int32(e.u32(v))
}

// read reads up to n bytes from fd.
func (e *env) read(fd uint64, n int) ([]byte, unix.Errno) {
	buf := e.buf(n)
	got, errno := e.call(unix.SYS_READ, fd, buf, uint64(n))
	if errno != 0 {
		return nil, errno
	}
	return e.k.Bytes(buf, int(got)), 0
}

func (e *env) write(fd uint64, b []byte) uint64 {
	e.t.Helper()
	return e.must(unix.SYS_WRITE, fd, e.mem(b), uint64(len(b)))
}

func callName(nr uint64) string {
	if ent := lookup(nr); ent != nil {
		return ent.Name
	}
	return map[uint64]string{unix.SYS_SOCKET: "socket", unix.SYS_GETSOCKNAME: "getsockname", unix.SYS_GETPEERNAME: "getpeername"}[nr]
}
