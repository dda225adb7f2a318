// Command userexec is run as a ring-3 process by TestUserExec: with
// os/exec it starts /bin/spawn (testdata/userc/spawn.c) and itself again
// through /proc/self/exe, and checks their output through pipes, their
// exit statuses and signals, SIGCHLD, PATH lookup, a missing executable,
// and that starting processes without end fails with EAGAIN. It prints
// "userexec: ok", or a line per failure and exits with 1.
//
// USEREXEC_ROLE selects what a re-executed copy does: "child" echoes its
// standard input with its parent's pid and executable, "wait" reads its
// standard input to the end.
package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

var failed bool

func fail(format string, args ...any) {
	failed = true
	fmt.Printf("userexec: FAIL "+format+"\n", args...)
}

func main() {
	switch os.Getenv("USEREXEC_ROLE") {
	case "child":
		in, _ := io.ReadAll(os.Stdin)
		exe, err := os.Executable()
		fmt.Printf("child: %s ppid=%d exe=%s err=%v\n", in, os.Getppid(), exe, err)
		return
	case "wait":
		io.Copy(io.Discard, os.Stdin)
		return
	}
	sigchld := make(chan os.Signal, 64)
	signal.Notify(sigchld, syscall.SIGCHLD)

	out, err := exec.Command("/bin/spawn", "echo", "hello", "world").Output()
	if err != nil || string(out) != "hello world\n" {
		fail("spawn echo: %q, %v", out, err)
	}

	var ee *exec.ExitError
	if err := exec.Command("/bin/spawn", "exit", "3").Run(); !errors.As(err, &ee) || ee.ExitCode() != 3 {
		fail("spawn exit 3: %v", err)
	}

	err = exec.Command("/bin/spawn", "kill").Run()
	if !errors.As(err, &ee) {
		fail("spawn kill: %v", err)
	} else if ws := ee.Sys().(syscall.WaitStatus); !ws.Signaled() || ws.Signal() != syscall.SIGTERM {
		fail("spawn kill: status %v", ws)
	}

	select {
	case <-sigchld:
	case <-time.After(10 * time.Second):
		fail("no SIGCHLD")
	}

	self, err := os.Executable()
	if err != nil || self != "/bin/userexec" {
		fail("os.Executable: %q, %v", self, err)
	}
	cmd := exec.Command("/proc/self/exe")
	cmd.Env = append(os.Environ(), "USEREXEC_ROLE=child")
	cmd.Stdin = strings.NewReader("ping")
	out, err = cmd.Output()
	if want := fmt.Sprintf("child: ping ppid=%d exe=/bin/userexec err=<nil>\n", os.Getpid()); err != nil || string(out) != want {
		fail("re-exec: %q, %v; want %q", out, err, want)
	}

	os.Setenv("PATH", "/nowhere:/bin")
	if p, err := exec.LookPath("spawn"); err != nil || p != "/bin/spawn" {
		fail("LookPath: %q, %v", p, err)
	}
	if err := exec.Command("spawn", "exit", "0").Run(); err != nil {
		fail("spawn through PATH: %v", err)
	}

	if err := exec.Command("/bin/nope").Run(); !errors.Is(err, fs.ErrNotExist) {
		fail("missing executable: %v", err)
	}

	bomb()
	if failed {
		os.Exit(1)
	}
	fmt.Println("userexec: ok")
}

// bomb starts copies of itself that read one pipe as their standard
// input until starting one fails, which must be with EAGAIN, then closes
// the pipe, which ends them all.
func bomb() {
	r, w, err := os.Pipe()
	if err != nil {
		fail("pipe: %v", err)
		return
	}
	var cmds []*exec.Cmd
	for len(cmds) < 64 {
		c := exec.Command("/proc/self/exe")
		c.Env = append(os.Environ(), "USEREXEC_ROLE=wait")
		c.Stdin = r
		if err = c.Start(); err != nil {
			break
		}
		cmds = append(cmds, c)
	}
	fmt.Printf("userexec: started %d waiting copies, then: %v\n", len(cmds), err)
	if len(cmds) == 0 || !errors.Is(err, syscall.EAGAIN) {
		fail("process table: %d started, then %v; want EAGAIN", len(cmds), err)
	}
	r.Close()
	w.Close()
	for i, c := range cmds {
		if err := c.Wait(); err != nil {
			fail("waiting copy %d: %v", i, err)
		}
	}
}
