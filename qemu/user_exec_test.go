package qemu_test

import (
	"strings"
	"testing"
)

var (
	userexecBuild hostBuild // testdata/userexec
	spawnBuild    hostBuild // testdata/userc/spawn.c
)

// TestUserExec runs two processes that start others: testdata/userexec
// (plain go build) uses os/exec on /bin/spawn and on itself through
// /proc/self/exe (output through pipes, exit statuses, a signal death,
// SIGCHLD, PATH lookup, a missing file, the process table running out
// with EAGAIN), and testdata/userc/spawn (gcc -static) uses vfork,
// execve, waitpid and waitid. Both must pass, and the machine exits
// with 0.
func TestUserExec(t *testing.T) {
	goProg := userProgram{"userexec", goProgram(t, &userexecBuild, "qemu/testdata/userexec"), nil}
	cProg := userProgram{"spawn", cProgram(t, &spawnBuild, "spawn"), nil}
	out, status := bootUser(t, userImage(t, goProg, cProg))
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "userexec: ") || strings.HasPrefix(l, "spawn: ") {
			t.Log(l)
		}
	}
	for _, want := range []string{"userexec: ok", "spawn: ok"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q on the console", want)
		}
	}
	pids, ends := consoleProcs(out)
	for _, name := range []string{"userexec", "spawn"} {
		if e := ends[pids[name]]; e.signal != 0 || e.status != 0 {
			t.Errorf("%s: %v", name, e)
		}
	}
	if status != 0 {
		t.Errorf("machine status %d, want 0", status)
	}
}
