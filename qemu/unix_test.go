package qemu_test

import (
	"strings"
	"testing"
	"time"
)

var unixprogBuild hostBuild // testdata/unixprog

// TestUnixSockets boots qemu/testdata/unixprog, an unmodified Go program
// using AF_UNIX sockets (net/http over a path-named and an abstract
// socket, socketpair between goroutines, unixgram, unixpacket), built
// into the image.
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
// one process, and HTTP servers on an abstract name and on a path in
// /tmp, each with its client in another process.
func TestUserUnixSockets(t *testing.T) {
	data := goProgram(t, &unixprogBuild, "qemu/testdata/unixprog")
	image := userImage(t,
		userProgram{"checks", data, nil},
		userProgram{"server", data, []string{"-serve", "@unixprog-procs"}},
		userProgram{"client", data, []string{"-get", "@unixprog-procs"}},
		userProgram{"pathserver", data, []string{"-serve", "/tmp/unixprog-procs.sock"}},
		userProgram{"pathclient", data, []string{"-get", "/tmp/unixprog-procs.sock"}},
	)
	out, status := bootUser(t, image)
	for want, n := range map[string]int{"unixprog: ok": 1, "unixprog: served": 2, "unixprog: client ok": 2} {
		if got := strings.Count(out, want); got != n {
			t.Errorf("%q %d times, want %d", want, got, n)
		}
	}
	pids, ends := consoleProcs(out)
	for _, name := range []string{"checks", "server", "client", "pathserver", "pathclient"} {
		if e, ok := ends[pids[name]]; !ok || e.signal != 0 || e.status != 0 {
			t.Errorf("/bin/%s: %v: %s", name, e, e.line)
		}
	}
	if status != 0 {
		t.Errorf("machine status %d", status)
	}
}
