package sockabi

import (
	"testing"

	"golang.org/x/sys/unix"
)

func TestInlineBuf(t *testing.T) {
	for _, tc := range []struct {
		nr      uint64
		n       uint64
		want    bool
		comment string
	}{
		{unix.SYS_WRITE, 6, true, "a small write"},
		{unix.SYS_SENDTO, InlineSize, true, "a sendto of InlineSize bytes"},
		{unix.SYS_WRITE, InlineSize + 1, false, "a larger write"},
		{unix.SYS_WRITE, 0, false, "an empty write"},
		{unix.SYS_READ, 6, false, "a read"},
		{unix.SYS_SENDMSG, 6, false, "a sendmsg (its buffers are iovecs)"},
	} {
		args := [6]uint64{3, 0x1000, tc.n}
		addr, n, ok := InlineBuf(tc.nr, &args)
		if ok != tc.want || ok && (addr != 0x1000 || n != tc.n) {
			t.Errorf("%s: %#x, %d, %v", tc.comment, addr, n, ok)
		}
	}
}
