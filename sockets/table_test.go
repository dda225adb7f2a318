package sockets

import (
	"testing"

	"golang.org/x/sys/unix"

	"warren.dev/kernel/sockabi"
)

func TestTable(t *testing.T) {
	if err := checkTable(table[:]); err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, e := range Syscalls() {
		if names[e.Name] {
			t.Errorf("name %s twice", e.Name)
		}
		names[e.Name] = true
		if e.Support != Full && e.Note == "" {
			t.Errorf("%s is %v without a note", e.Name, e.Support)
		}
		if !sockabi.Forwarded(e.Nr) && !reachesLayer(e.Nr) {
			t.Errorf("%s (%d) is never forwarded to the layer", e.Name, e.Nr)
		}
	}
	// Everything the kernel forwards has an entry.
	for nr := uint64(0); nr < maxNr; nr++ {
		if (sockabi.Forwarded(nr) || reachesLayer(nr)) && lookup(nr) == nil {
			t.Errorf("forwarded call %d has no entry", nr)
		}
	}
}

// reachesLayer reports whether the kernel forwards call nr other than as
// a socket call.
func reachesLayer(nr uint64) bool {
	for _, n := range append(sockabi.FDCalls[:], sockabi.Rewritten[:]...) {
		if n == nr {
			return true
		}
	}
	return false
}

func TestCheckTableRejects(t *testing.T) {
	ok := Entry{unix.SYS_BIND, "bind", sysBind, Full, ""}
	for name, bad := range map[string][]Entry{
		"duplicate":    {ok, ok},
		"nil handler":  {{unix.SYS_BIND, "bind", nil, Full, ""}},
		"no name":      {{unix.SYS_BIND, "", sysBind, Full, ""}},
		"out of range": {{maxNr, "x", sysBind, Full, ""}},
	} {
		if checkTable(bad) == nil {
			t.Errorf("%s accepted", name)
		}
	}
	if err := checkTable([]Entry{ok}); err != nil {
		t.Errorf("one good entry: %v", err)
	}
}

func TestHandleUnknown(t *testing.T) {
	e := newEnv(t)
	e.fails(unix.ENOSYS, unix.SYS_GETPID)
	e.fails(unix.ENOSYS, 9999)
	// A socket call on a descriptor that is no socket, or a stale one.
	r := e.k.Request(unix.SYS_BIND, ^uint64(0))
	defer e.k.Done(r.ID)
	if _, errno := e.l.Handle(&r); errno != unix.ENOTSOCK {
		t.Errorf("no socket: %v", errno)
	}
	// A socket the layer has not seen is made as the request says.
	r.Sock = 12345
	if _, errno := e.l.Handle(&r); errno != unix.EAFNOSUPPORT {
		t.Errorf("socket of family 0: %v", errno)
	}
	r.Domain, r.Type = unix.AF_INET, unix.SOCK_STREAM
	if _, errno := e.l.Handle(&r); errno != unix.EINVAL {
		t.Errorf("bind of an empty address on a new socket: %v", errno)
	}
	e.l.Handle(&sockabi.Request{Op: sockabi.OpRelease, Sock: 12345})
	if n := e.l.Sockets(); n != 0 {
		t.Errorf("%d sockets after release", n)
	}
}
