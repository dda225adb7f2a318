package qemu

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// orphanHelperEnv, set, makes the test binary the process that starts
// the machine (the fake QEMU named in it) and is then killed.
const orphanHelperEnv = "WARREN_TEST_ORPHAN_QEMU"

// A QEMU whose starter is killed (SIGKILL, no clean-up runs) dies too:
// the test binary re-runs itself as the starter, kills it once the fake
// QEMU runs, and waits for the fake QEMU to go.
func TestQEMUDiesWithParent(t *testing.T) {
	if fake := os.Getenv(orphanHelperEnv); fake != "" {
		m := Machine{Image: "/x", Accel: AccelTCG, QEMU: fake}
		m.Run(context.Background())
		return
	}
	pidFile := filepath.Join(t.TempDir(), "qemu.pid")
	fake := fakeQEMU(t, `echo $$ > `+pidFile+`; exec sleep 60`)
	starter := exec.Command(os.Args[0], "-test.run=^TestQEMUDiesWithParent$")
	starter.Env = append(os.Environ(), orphanHelperEnv+"="+fake)
	if err := starter.Start(); err != nil {
		t.Fatal(err)
	}
	var pid int
	waitFor(t, "the fake QEMU to start", func() bool {
		b, err := os.ReadFile(pidFile)
		pid, _ = strconv.Atoi(strings.TrimSpace(string(b)))
		return err == nil && pid > 0
	})
	starter.Process.Kill()
	starter.Wait()
	defer syscall.Kill(pid, syscall.SIGKILL) // if the test fails
	waitFor(t, "the fake QEMU to die with its starter", func() bool { return gone(pid) })
}

// gone reports whether process pid has ended (a zombie nobody has
// reaped counts as ended).
func gone(pid int) bool {
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return true
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	// pid (comm) state ...: the state follows the last ')'.
	f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
	return len(f) > 0 && f[0] == "Z"
}

// waitFor polls cond for up to 20 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
