package qemu_test

import (
	"context"
	"strings"
	"testing"
	"time"
)

var tmpfsprogBuild hostBuild // testdata/tmpfsprog

// tmpfsOptions limits the tmpfs to 4 MiB: tmpfsprog fills it.
var tmpfsOptions = []string{"warren.tmpfs=4M"}

// TestTmpfs runs qemu/testdata/tmpfsprog as the program in the image:
// temporary directories and files, rename, ReadDir, truncate, links,
// umask, chdir and fchdir, os.Root.Chmod (fchmodat2), faccessat2, getgroups,
// removal, and ENOSPC at the limit.
func TestTmpfs(t *testing.T) {
	out, status, err := bootExample(t, "qemu/testdata/tmpfsprog", boot{Options: tmpfsOptions})
	if err != nil {
		t.Fatal(err)
	}
	if status != 0 || !strings.Contains(out, "tmpfsprog: ok") {
		t.Fatalf("status %d:\n%s", status, out)
	}
}

// TestUserTmpfs runs the same program, built by plain go build, as a
// ring-3 process.
func TestUserTmpfs(t *testing.T) {
	prog := userProgram{"tmpfsprog", goProgram(t, &tmpfsprogBuild, "qemu/testdata/tmpfsprog"), nil}
	m, err := userMachine(userImage(t, prog), tmpfsOptions...)
	if err != nil {
		t.Fatal(err)
	}
	// The machine ends with the process: its status is the machine's.
	m.Timeout = 3 * time.Minute
	res, err := m.Run(context.Background())
	out := string(res.Output)
	if err != nil || res.Status != 0 || !strings.Contains(out, "tmpfsprog: ok") {
		t.Fatalf("status %d, %v:\n%s", res.Status, err, out)
	}
}
