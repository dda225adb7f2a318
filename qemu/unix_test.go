package qemu_test

import (
	"strings"
	"testing"
	"time"
)

var unixprogBuild hostBuild // testdata/unixprog

// TestUnixSockets boots qemu/testdata/unixprog, an unmodified Go program
// using AF_UNIX sockets (net/http over a path-named and an abstract
// socket, socketpair between goroutines, unixgram, unixpacket, a socket
// passed with SCM_RIGHTS), built into the image.
func TestUnixSockets(t *testing.T) {
	out, status, err := bootExample(t, "qemu/testdata/unixprog", boot{Memory: "256M", Timeout: 5 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "unixprog: ok") || status != 0 {
		t.Errorf("status %d; the console does not end with unixprog: ok", status)
	}
}

// TestUserUnixSockets runs unixprog as ring-3 processes: its checks in
// one process; HTTP servers on an abstract name and on a path in /tmp,
// each with its client in another process; and, in a second boot (the
// kernel's eight epoll instances bound the Go processes of one), a
// process passing the read end of a pipe to another with SCM_RIGHTS.
func TestUserUnixSockets(t *testing.T) {
	data := goProgram(t, &unixprogBuild, "qemu/testdata/unixprog")
	for _, c := range []struct {
		name  string
		progs []userProgram
		want  map[string]int
	}{
		{"http", []userProgram{
			{"checks", data, nil},
			{"server", data, []string{"-serve", "@unixprog-procs"}},
			{"client", data, []string{"-get", "@unixprog-procs"}},
			{"pathserver", data, []string{"-serve", "/tmp/unixprog-procs.sock"}},
			{"pathclient", data, []string{"-get", "/tmp/unixprog-procs.sock"}},
		}, map[string]int{"unixprog: ok": 1, "unixprog: served": 2, "unixprog: client ok": 2}},
		{"rights", []userProgram{
			{"sendfd", data, []string{"-sendfd", "@unixprog-fd"}},
			{"recvfd", data, []string{"-recvfd", "@unixprog-fd"}},
		}, map[string]int{"unixprog: pipe sent": 1, "unixprog: pipe received": 1}},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, status := bootUser(t, userImage(t, c.progs...))
			for want, n := range c.want {
				if got := strings.Count(out, want); got != n {
					t.Errorf("%q %d times, want %d", want, got, n)
				}
			}
			pids, ends := consoleProcs(out)
			for _, p := range c.progs {
				if e, ok := ends[pids[p.name]]; !ok || e.signal != 0 || e.status != 0 {
					t.Errorf("/bin/%s: %v: %s", p.name, e, e.line)
				}
			}
			if status != 0 {
				t.Errorf("machine status %d", status)
			}
		})
	}
}
