package main

import (
	"slices"
	"testing"

	"golang.org/x/sys/unix"

	"warren.dev/proc"
)

func TestExitStatus(t *testing.T) {
	for ws, want := range map[unix.WaitStatus]int{
		0:                    0,
		3 << 8:               3,
		255 << 8:             255,
		unix.WaitStatus(9):   128 + 9,
		unix.WaitStatus(11):  128 + 11,
		unix.WaitStatus(129): 128 + 1, // SIGHUP with a core dump
	} {
		if got := exitStatus(ws); got != want {
			t.Errorf("wait status %#x: exit status %d, want %d", uint32(ws), got, want)
		}
	}
}

func TestEnviron(t *testing.T) {
	got := environ([]string{"A=1", "GOMEMLIMIT=1000", "GODEBUG=x=1", "GOMEMLIMITX=2"})
	if want := []string{"A=1", "GODEBUG=x=1", "GOMEMLIMITX=2", "GOMAXPROCS=4"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	got = environ([]string{"GOMAXPROCS=1"})
	if want := []string{"GOMAXPROCS=1"}; !slices.Equal(got, want) {
		t.Errorf("GOMAXPROCS given: got %q, want %q", got, want)
	}
}

func TestWithArgs(t *testing.T) {
	one := withArgs([]proc.Command{{Path: "/bin/a", Args: []string{"-x"}}}, []string{"y", "z"})
	if got := one[0].Argv(); !slices.Equal(got, []string{"/bin/a", "-x", "y", "z"}) {
		t.Errorf("one program: argv %q", got)
	}
	two := withArgs([]proc.Command{{Path: "/bin/a"}, {Path: "/bin/b"}}, []string{"y"})
	if len(two[0].Args)+len(two[1].Args) != 0 {
		t.Errorf("two programs got the arguments: %q", two)
	}
}
