package kernel

import (
	"testing"

	"golang.org/x/sys/unix"

	"warren.dev/kernel/signal"
)

func TestChildInfo(t *testing.T) {
	for _, c := range []struct {
		status        uint32
		code, status2 int32
	}{
		{0, cldExited, 0},
		{3 << 8, cldExited, 3},
		{255 << 8, cldExited, 255},
		{uint32(unix.SIGTERM), cldKilled, int32(unix.SIGTERM)},
		{uint32(unix.SIGSEGV) | 0x80, cldDumped, int32(unix.SIGSEGV)},
	} {
		i := childInfo(42, c.status)
		if i.Signo != int32(unix.SIGCHLD) || i.Pid != 42 || i.Code != c.code || i.Status != c.status2 {
			t.Errorf("childInfo(%#x) = %+v, want code %d status %d", c.status, i, c.code, c.status2)
		}
		// The siginfo waitid writes: si_pid at 16, si_status at 24.
		var b [signal.InfoSize]byte
		if err := signal.EncodeInfo(b[:], &i); err != nil {
			t.Fatal(err)
		}
		if le32(b[8:]) != uint32(c.code) || le32(b[16:]) != 42 || le32(b[24:]) != uint32(c.status2) {
			t.Errorf("siginfo for %#x: % x", c.status, b[:32])
		}
	}
}

func le32(b []byte) uint32 {
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}

func TestChildMatches(t *testing.T) {
	for _, c := range []struct {
		sel, pid int32
		want     bool
	}{
		{-1, 7, true}, {0, 7, true}, {-5, 7, true}, {7, 7, true}, {8, 7, false},
	} {
		if got := childMatches(c.sel, c.pid); got != c.want {
			t.Errorf("childMatches(%d, %d) = %v", c.sel, c.pid, got)
		}
	}
}
