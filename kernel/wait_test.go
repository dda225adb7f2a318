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
		{uint32(unix.SIGSTOP)<<8 | 0x7f, cldStopped, int32(unix.SIGSTOP)},
		{uint32(unix.SIGTSTP)<<8 | 0x7f, cldStopped, int32(unix.SIGTSTP)},
		{0xffff, cldContinued, int32(unix.SIGCONT)},
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

// TestChildEvent checks which events each wait option reports, with
// Linux's status words: WIFSTOPPED/WSTOPSIG and WIFCONTINUED must decode
// them.
func TestChildEvent(t *testing.T) {
	const all = unix.WEXITED | unix.WSTOPPED | unix.WCONTINUED
	stopped := process{state: procLive, stopped: true, stopSig: uint8(unix.SIGSTOP), jobReport: jobStopped}
	continued := process{state: procLive, jobReport: jobContinued}
	zombie := process{state: procZombie, status: 3 << 8}
	running := process{state: procLive}
	for _, c := range []struct {
		name string
		pr   process
		want uint64
		ok   bool
	}{
		{"stopped/all", stopped, all, true},
		{"stopped/exited", stopped, unix.WEXITED, false},
		{"stopped/continued", stopped, unix.WCONTINUED, false},
		{"continued/all", continued, all, true},
		{"continued/stopped", continued, unix.WEXITED | unix.WSTOPPED, false},
		{"zombie/all", zombie, all, true},
		{"zombie/stopped", zombie, unix.WSTOPPED | unix.WCONTINUED, false},
		{"running/all", running, all, false},
	} {
		st, ok := childEvent(&c.pr, c.want)
		if ok != c.ok {
			t.Errorf("%s: reported %v, want %v", c.name, ok, c.ok)
		}
		if !ok {
			continue
		}
		ws := unix.WaitStatus(st)
		switch c.pr.jobReport {
		case jobStopped:
			if !ws.Stopped() || ws.StopSignal() != unix.SIGSTOP {
				t.Errorf("%s: status %#x is not stopped by SIGSTOP", c.name, st)
			}
		case jobContinued:
			if !ws.Continued() {
				t.Errorf("%s: status %#x is not continued", c.name, st)
			}
		default:
			if !ws.Exited() || ws.ExitStatus() != 3 {
				t.Errorf("%s: status %#x is not exit 3", c.name, st)
			}
		}
	}
}
