package sockets

import (
	"encoding/binary"
	"testing"

	"golang.org/x/sys/unix"
)

// sendFDs sends data with the descriptors fds (SCM_RIGHTS) on fd.
func (e *env) sendFDs(fd uint64, data string, fds ...int32) (uint64, unix.Errno) {
	le := binary.LittleEndian
	c := le.AppendUint64(nil, uint64(sizeofCmsghdr+4*len(fds)))
	c = le.AppendUint32(c, unix.SOL_SOCKET)
	c = le.AppendUint32(c, unix.SCM_RIGHTS)
	for _, f := range fds {
		c = le.AppendUint32(c, uint32(f))
	}
	iov := le.AppendUint64(nil, e.mem([]byte(data)))
	iov = le.AppendUint64(iov, uint64(len(data)))
	m := make([]byte, sizeofMsghdr)
	le.PutUint64(m[16:], e.mem(iov))
	le.PutUint64(m[24:], 1)
	le.PutUint64(m[32:], e.mem(c))
	le.PutUint64(m[40:], uint64(len(c)))
	return e.call(unix.SYS_SENDMSG, fd, e.mem(m), 0)
}

// recvFDs receives up to n bytes on fd with room for room descriptors;
// it returns the data, the descriptors and msg_flags.
func (e *env) recvFDs(fd uint64, n, room, flags int) (string, []int32, uint32) {
	e.t.Helper()
	msg, iov := e.msghdr(n)
	ctl := e.buf(sizeofCmsghdr + 4*room)
	le := binary.LittleEndian
	e.k.Put(msg+32, le.AppendUint64(le.AppendUint64(nil, ctl), uint64(sizeofCmsghdr+4*room)))
	got := e.must(unix.SYS_RECVMSG, fd, msg, uint64(flags))
	var fds []int32
	if used := le.Uint64(e.k.Bytes(msg+msgControllenOff, 8)); used > 0 {
		c := e.k.Bytes(ctl, int(used))
		if level, typ := le.Uint32(c[8:]), le.Uint32(c[12:]); level != unix.SOL_SOCKET || typ != unix.SCM_RIGHTS {
			e.t.Fatalf("control message level %d type %d", level, typ)
		}
		for i := sizeofCmsghdr; i < int(le.Uint64(c)); i += 4 {
			fds = append(fds, int32(le.Uint32(c[i:])))
		}
	}
	return string(e.k.Bytes(iov[0].base, int(got))), fds, e.u32(msg + msgFlagsOff)
}

// TestRights: a descriptor sent with SCM_RIGHTS arrives as a new
// descriptor of the same socket, which works; the reference in flight
// is gone once received.
func TestRights(t *testing.T) {
	e := newEnv(t)
	a, b := e.socketpair(unix.SOCK_DGRAM | nb)
	x, y := e.socketpair(unix.SOCK_STREAM | nb)
	if _, errno := e.sendFDs(a, "take x", int32(x)); errno != 0 {
		t.Fatal(errno)
	}
	e.close(x) // the copy in flight keeps x's socket open
	data, fds, flags := e.recvFDs(b, 64, 4, 0)
	if data != "take x" || len(fds) != 1 || flags != 0 || e.k.Sock(int(fds[0])) < 0 {
		t.Fatalf("received %q, descriptors %v, flags %#x", data, fds, flags)
	}
	if n := e.k.InFlight(); n != 0 {
		t.Fatalf("%d references still in flight", n)
	}
	e.write(uint64(fds[0]), []byte("through the passed descriptor"))
	e.expectRead(y, 64, "through the passed descriptor")
	e.close(uint64(fds[0]))
	e.expectRead(y, 64, "")
	e.fails(unix.EFAULT, unix.SYS_SENDMSG, a, 0, 0)
	if _, errno := e.sendFDs(a, "bad", 999); errno != unix.EBADF {
		t.Errorf("sending a closed descriptor: %v, want EBADF", errno)
	}
	many := make([]int32, scmMaxFD+1)
	for i := range many {
		many[i] = int32(y)
	}
	if _, errno := e.sendFDs(a, "many", many...); errno != unix.EINVAL {
		t.Errorf("sending %d descriptors: %v, want EINVAL", len(many), errno)
	}
	for _, fd := range []uint64{a, b, y} {
		e.close(fd)
	}
	if n, f := e.l.Sockets(), e.k.InFlight(); n != 0 || f != 0 {
		t.Fatalf("%d sockets and %d references in flight left", n, f)
	}
}

// TestRightsDropped: descriptors are closed when the receiver gives no
// control buffer, when it gives too little (MSG_CTRUNC), and when the
// socket holding them closes; a peek installs copies and leaves them in
// flight.
func TestRightsDropped(t *testing.T) {
	e := newEnv(t)
	a, b := e.socketpair(unix.SOCK_SEQPACKET | nb)
	x, y := e.socketpair(unix.SOCK_STREAM | nb)
	must := func(_ uint64, errno unix.Errno) {
		t.Helper()
		if errno != 0 {
			t.Fatal(errno)
		}
	}
	// No control buffer: read() drops the descriptor.
	must(e.sendFDs(a, "one", int32(x)))
	e.expectRead(b, 8, "one")
	// Room for one of two.
	must(e.sendFDs(a, "two", int32(x), int32(x)))
	if data, fds, flags := e.recvFDs(b, 8, 1, 0); data != "two" || len(fds) != 1 || flags&unix.MSG_CTRUNC == 0 {
		t.Fatalf("received %q, %v, flags %#x; want one descriptor and MSG_CTRUNC", data, fds, flags)
	} else {
		e.close(uint64(fds[0]))
	}
	// A peek installs a copy and keeps the descriptor for the receive.
	must(e.sendFDs(a, "peek", int32(x)))
	_, peeked, _ := e.recvFDs(b, 8, 1, unix.MSG_PEEK)
	if e.k.InFlight() != 1 {
		t.Fatalf("%d references in flight after a peek, want 1", e.k.InFlight())
	}
	_, got, _ := e.recvFDs(b, 8, 1, 0)
	if len(peeked) != 1 || len(got) != 1 || peeked[0] == got[0] {
		t.Fatalf("peeked %v, received %v", peeked, got)
	}
	e.close(uint64(peeked[0]))
	e.close(uint64(got[0]))
	if n := e.k.InFlight(); n != 0 {
		t.Fatalf("%d references in flight", n)
	}
	// Closing the receiver with the message queued drops the last
	// reference on x's socket: y sees its peer gone.
	must(e.sendFDs(a, "lost", int32(x)))
	e.close(x)
	e.close(b)
	if n := e.k.InFlight(); n != 0 {
		t.Fatalf("%d references in flight after the receiver closed", n)
	}
	e.expectRead(y, 8, "")
	e.close(a)
	e.close(y)
	if n := e.l.Sockets(); n != 0 {
		t.Fatalf("%d sockets left", n)
	}
}

// TestRightsStream: on a stream, descriptors go with the first byte of
// their write, and a read stops before and after the bytes they came
// with, so they are delivered with their own data.
func TestRightsStream(t *testing.T) {
	e := newEnv(t)
	a, b := e.socketpair(unix.SOCK_STREAM | nb)
	x, y := e.socketpair(unix.SOCK_STREAM | nb)
	e.write(a, []byte("ab"))
	if _, errno := e.sendFDs(a, "cd", int32(x)); errno != 0 {
		t.Fatal(errno)
	}
	e.write(a, []byte("ef"))
	if n, errno := e.sendFDs(a, "", int32(x)); n != 0 || errno != 0 || e.k.InFlight() != 1 {
		t.Fatalf("empty stream sendmsg with a descriptor: %d, %v, %d in flight", n, errno, e.k.InFlight())
	}
	e.expectRead(b, 64, "ab")
	data, fds, _ := e.recvFDs(b, 64, 1, 0)
	if data != "cd" || len(fds) != 1 {
		t.Fatalf("received %q with %v", data, fds)
	}
	e.expectRead(b, 64, "ef")
	for _, fd := range []uint64{a, b, x, y, uint64(fds[0])} {
		e.close(fd)
	}
	if n, f := e.l.Sockets(), e.k.InFlight(); n != 0 || f != 0 {
		t.Fatalf("%d sockets and %d references in flight left", n, f)
	}
}

// TestCredentials: with SO_PASSCRED a recvmsg gets the sender's
// SCM_CREDENTIALS (its process id, root) before any SCM_RIGHTS; without
// room for them, MSG_CTRUNC; SO_PEERCRED names the peer's process.
func TestCredentials(t *testing.T) {
	e := newEnv(t)
	a, b := e.socketpair(unix.SOCK_DGRAM | nb)
	e.setInt(b, unix.SOL_SOCKET, unix.SO_PASSCRED, 1)
	if got := e.getInt(b, unix.SOL_SOCKET, unix.SO_PASSCRED); got != 1 {
		t.Fatalf("SO_PASSCRED %d", got)
	}
	x, y := e.socketpair(unix.SOCK_STREAM | nb)
	if _, errno := e.sendFDs(a, "creds", int32(x)); errno != 0 {
		t.Fatal(errno)
	}
	msg, _ := e.msghdr(16)
	ctl := e.buf(64)
	le := binary.LittleEndian
	e.k.Put(msg+32, le.AppendUint64(le.AppendUint64(nil, ctl), 64))
	e.must(unix.SYS_RECVMSG, b, msg, 0)
	used := le.Uint64(e.k.Bytes(msg+msgControllenOff, 8))
	msgs, err := unix.ParseSocketControlMessage(e.k.Bytes(ctl, int(used)))
	if err != nil || len(msgs) != 2 {
		t.Fatalf("%d control messages (%v) in %d bytes", len(msgs), err, used)
	}
	cred, err := unix.ParseUnixCredentials(&msgs[0])
	if err != nil || cred.Pid != FakePID || cred.Uid != 0 || cred.Gid != 0 {
		t.Fatalf("credentials %+v, %v", cred, err)
	}
	fds, err := unix.ParseUnixRights(&msgs[1])
	if err != nil || len(fds) != 1 {
		t.Fatalf("rights %v, %v", fds, err)
	}
	e.close(uint64(fds[0]))
	// Room for a cmsghdr only: the credentials are cut.
	e.write(a, []byte("short"))
	if _, _, flags := e.recvFDs(b, 16, 0, 0); flags&unix.MSG_CTRUNC == 0 {
		t.Errorf("flags %#x without MSG_CTRUNC", flags)
	}
	v, n := e.buf(12), e.int32p(12)
	e.must(unix.SYS_GETSOCKOPT, x, unix.SOL_SOCKET, unix.SO_PEERCRED, v, n)
	if got := e.k.Bytes(v, 12); le.Uint32(got) != FakePID || le.Uint32(got[4:]) != 0 {
		t.Errorf("SO_PEERCRED %v", got)
	}
	for _, fd := range []uint64{a, b, x, y} {
		e.close(fd)
	}
}
