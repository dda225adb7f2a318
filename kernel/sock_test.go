package kernel

import (
	"testing"

	"golang.org/x/sys/unix"

	"warren.dev/kernel/sockabi"
)

func TestWouldBlock(t *testing.T) {
	const nb = unix.O_NONBLOCK
	io, acc := uint32(sockabi.ExactIO), uint32(sockabi.ExactAccept)
	for _, tc := range []struct {
		name          string
		nr, msgFlags  uint64
		fdFlags       uint32
		events, exact uint32
		want          bool
	}{
		{"read, nothing to read", unix.SYS_READ, 0, nb, unix.EPOLLOUT, io, true},
		{"read, data", unix.SYS_READ, 0, nb, unix.EPOLLIN | unix.EPOLLOUT, io, false},
		{"read, blocking descriptor", unix.SYS_READ, 0, 0, unix.EPOLLOUT, io, false},
		{"recvfrom, MSG_DONTWAIT on a blocking descriptor", unix.SYS_RECVFROM, unix.MSG_DONTWAIT, 0, 0, io, true},
		{"recvmsg, peer closed", unix.SYS_RECVMSG, 0, nb, unix.EPOLLRDHUP, io, false},
		{"read, error pending", unix.SYS_READ, 0, nb, unix.EPOLLERR, io, false},
		{"read, hung up", unix.SYS_READ, 0, nb, unix.EPOLLHUP, io, false},
		{"read, events not exact (not connected)", unix.SYS_READ, 0, nb, 0, 0, false},
		{"read on a listener", unix.SYS_READ, 0, nb, 0, acc, false},
		{"write, buffer full", unix.SYS_WRITE, 0, nb, 0, io, true},
		{"sendmsg, room", unix.SYS_SENDMSG, 0, nb, unix.EPOLLOUT, io, false},
		{"accept4, none pending", unix.SYS_ACCEPT4, 0, nb, 0, acc, true},
		{"accept4, pending", unix.SYS_ACCEPT4, 0, nb, unix.EPOLLIN, acc, false},
		{"accept on a connected socket", unix.SYS_ACCEPT, 0, nb, 0, io, false},
		{"getsockopt", unix.SYS_GETSOCKOPT, 0, nb, 0, io | acc, false},
	} {
		if got := wouldBlock(tc.nr, tc.msgFlags, tc.fdFlags, tc.events, tc.exact); got != tc.want {
			t.Errorf("%s: wouldBlock = %v", tc.name, got)
		}
	}
}
