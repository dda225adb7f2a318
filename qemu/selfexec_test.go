package qemu_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"warren.dev/qemu"
	"warren.dev/tools/build"
)

// TestSelfExec builds qemu/testdata/selfexec with -selfexe and boots it:
// the program in the image starts itself as ring-3 processes with
// os/exec (vfork from the program, execve of /proc/self/exe) and checks
// their arguments, environment, pipes and exit statuses.
func TestSelfExec(t *testing.T) {
	runSelfExe(t, "./qemu/testdata/selfexec", "selfexec: ok")
}

// TestJobControl builds qemu/testdata/jobctl with -selfexe and boots it:
// the program stops, continues and kills ring-3 children of its own
// with SIGSTOP, SIGTSTP, SIGCONT and SIGKILL, and checks what wait4,
// waitid and SIGCHLD report and that a stopped child does not run.
func TestJobControl(t *testing.T) {
	runSelfExe(t, "./qemu/testdata/jobctl", "jobctl: ok")
}

// TestPidfd builds qemu/testdata/pidfd with -selfexe and boots it: the
// program, and a ring-3 copy of it, check that os.StartProcess gives
// them a pidfd for the child, that Signal and Wait work through it, and
// pidfd_open, poll, read and waitid(P_PIDFD) on a child's pidfd.
func TestPidfd(t *testing.T) {
	runSelfExe(t, "./qemu/testdata/pidfd", "pidfd: ok")
}

// runSelfExe builds the package pkg with -selfexe, boots it and expects
// status 0 and the line ok.
func runSelfExe(t *testing.T, pkg, ok string) {
	qemu.RequireTools(t, qemu.Binary)
	root := repoRoot(t)
	image := filepath.Join(t.TempDir(), "warren.elf")
	cfg := build.Config{Root: root, Dir: root, SelfExe: true}
	if _, err := build.Build(context.Background(), cfg, pkg, image); err != nil {
		t.Fatalf("building %s: %v", pkg, err)
	}
	log := &lineLogger{t: t}
	defer log.Flush()
	m := qemu.Machine{
		Image:   image,
		Modules: []qemu.Module{{Path: image + build.UserArchiveSuffix, Name: build.ArchiveModule}},
		Memory:  "256M",
		Timeout: 3 * time.Minute,
		Stdout:  log,
	}
	res, err := m.Run(context.Background())
	out := strings.ReplaceAll(string(res.Output), "\r\n", "\n")
	if err != nil || res.Status != 0 || !strings.Contains(out, ok) {
		t.Fatalf("status %d, %v:\n%s", res.Status, err, out)
	}
	checkKernelHealthy(t, out)
}
