// Command selfexec is the program in an image built with -selfexe: it
// starts itself as a child process with os/exec, as Go's tests do, and
// checks what comes back: arguments and environment in, output through
// pipes, exit statuses, a failed start, a working directory of the
// child's own, credentials, a child's limits through prlimit, prctl's keep-capabilities flag on every
// thread, a pipe read restarted after a signal, 1,200 open files, and
// several children at once.
// It prints "selfexec: ok" and exits 0, or names each failed check and
// exits 1. Run as the child (SELFEXEC_CHILD set), it does what argv says.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"

	"warren.dev/qemu/testdata/internal/verdict"
)

var v = verdict.New("selfexec")

func main() {
	if os.Getenv("SELFEXEC_CHILD") != "" {
		child(os.Args[1:])
		return
	}
	exe, err := os.Executable()
	v.Check(err == nil && exe == "/warren/program", "os.Executable() = %q, %v; want /warren/program", exe, err)
	v.Check(os.Args[0] == exe, "os.Args[0] = %q, want %q", os.Args[0], exe)

	// Arguments and environment in, standard output back through a pipe.
	out, err := command(exe, "echo", "a b", "c").Output()
	v.Check(err == nil && string(out) == "pid>1 ppid=1 args=[a b|c] env=42\n", "echo: %q, %v", out, err)

	// An exit status, and standard error through its own pipe.
	cmd := command(exe, "exit", "7")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	err = cmd.Run()
	var ee *exec.ExitError
	v.Check(errors.As(err, &ee) && ee.ExitCode() == 7 && stderr.String() == "exiting 7\n",
		"exit 7: %v, stderr %q", err, stderr.String())

	// Standard input through a pipe.
	cmd = command(exe, "cat")
	cmd.Stdin = strings.NewReader("through the pipe")
	out, err = cmd.Output()
	v.Check(err == nil && string(out) == "through the pipe", "cat: %q, %v", out, err)

	// A child killed by a signal.
	err = command(exe, "kill").Run()
	v.Check(errors.As(err, &ee) && ee.String() == "signal: killed", "kill: %v", err)

	// A start that fails in the child's execve.
	err = exec.Command("/warren/no-such-program").Run()
	v.Check(errors.Is(err, os.ErrNotExist), "starting a missing program: %v", err)

	// Arguments beyond what the child's execve can take: E2BIG from Start.
	err = command(exe, "echo", strings.Repeat("x", 3<<20)).Run()
	v.Check(errors.Is(err, syscall.E2BIG), "3 MiB of arguments: %v", err)

	// A working directory for the child (its chdir before execve) is not
	// the parent's.
	before, _ := os.Getwd()
	cmd = command(exe, "pwd")
	cmd.Dir = "/warren"
	out, err = cmd.Output()
	after, _ := os.Getwd()
	v.Check(err == nil && string(out) == "/warren\n" && after == before, "pwd: %q, %v; the parent's went from %q to %q", out, err, before, after)

	// Credentials set in the child before execve (setgroups, setgid,
	// setuid), inherited through it; the child, no longer root, cannot
	// take root back, and cannot signal its root parent.
	cmd = command(exe, "ids")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 1000, Gid: 100, Groups: []uint32{300, 200}}}
	out, err = cmd.Output()
	v.Check(err == nil && string(out) == "uid=1000/1000 gid=100/100 groups=[200 300] setuid(0)=operation not permitted kill(1)=operation not permitted\n",
		"ids: %q, %v", out, err)

	childLimits(exe)
	keepCaps(exe)
	restartedRead()
	openMany()

	// Several children at once, each waited for.
	var wg sync.WaitGroup
	for i := range 3 {
		wg.Go(func() {
			out, err := command(exe, "echo", strconv.Itoa(i)).Output()
			want := fmt.Sprintf("args=[%d]", i)
			v.Check(err == nil && strings.Contains(string(out), want), "child %d: %q, %v", i, out, err)
		})
	}
	wg.Wait()

	v.End()
}

// childLimits reads and lowers a running child's descriptor limit with
// prlimit, which the child then reports; a pid that names no process is
// ESRCH. The child says when it is ready: Go raises its own soft limit to
// the hard one as it starts.
func childLimits(exe string) {
	cmd := command(exe, "limit")
	in, err := cmd.StdinPipe()
	v.Check(err == nil, "stdin pipe: %v", err)
	out, err := cmd.StdoutPipe()
	v.Check(err == nil, "stdout pipe: %v", err)
	if err := cmd.Start(); err != nil {
		v.Check(false, "starting the limit child: %v", err)
		return
	}
	ready := make([]byte, len("ready\n"))
	_, err = io.ReadFull(out, ready)
	v.Check(err == nil && string(ready) == "ready\n", "the limit child: %q, %v", ready, err)
	pid := cmd.Process.Pid
	var lim unix.Rlimit
	err = unix.Prlimit(pid, unix.RLIMIT_NOFILE, nil, &lim)
	v.Check(err == nil && lim.Cur == lim.Max && lim.Max > 100, "the child's RLIMIT_NOFILE: %+v, %v", lim, err)
	err = unix.Prlimit(pid, unix.RLIMIT_NOFILE, &unix.Rlimit{Cur: 100, Max: lim.Max}, nil)
	v.Check(err == nil, "lowering the child's RLIMIT_NOFILE: %v", err)
	in.Close()
	rest, _ := io.ReadAll(out)
	err = cmd.Wait()
	v.Check(err == nil && string(rest) == "nofile=100\n", "the child after prlimit: %q, %v", rest, err)
	err = unix.Prlimit(1<<20, unix.RLIMIT_NOFILE, nil, &lim)
	v.Check(err == unix.ESRCH, "prlimit of no process: %v, want ESRCH", err)
}

// keepCaps sets prctl's keep-capabilities flag on every thread at once
// (AllThreadsSyscall makes the call on each, through a signal), checks
// that threads locked to goroutines see it, and that a child's execve
// clears it.
func keepCaps(exe string) {
	_, _, e := syscall.AllThreadsSyscall(syscall.SYS_PRCTL, syscall.PR_SET_KEEPCAPS, 1, 0)
	v.Check(e == 0, "PR_SET_KEEPCAPS 1 on all threads: %v", e)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			caps, _, e := syscall.RawSyscall(syscall.SYS_PRCTL, syscall.PR_GET_KEEPCAPS, 0, 0)
			v.Check(e == 0 && caps == 1, "PR_GET_KEEPCAPS on thread %d: %d, %v; want 1", syscall.Gettid(), caps, e)
		})
	}
	wg.Wait()
	_, _, e = syscall.RawSyscall(syscall.SYS_PRCTL, syscall.PR_SET_KEEPCAPS, 2, 0)
	v.Check(e == syscall.EINVAL, "PR_SET_KEEPCAPS 2: %v, want EINVAL", e)
	out, err := command(exe, "keepcaps").Output()
	v.Check(err == nil && string(out) == "keepcaps=0\n", "keepcaps after execve: %q, %v", out, err)
	_, _, e = syscall.AllThreadsSyscall(syscall.SYS_PRCTL, syscall.PR_SET_KEEPCAPS, 0, 0)
	v.Check(e == 0, "PR_SET_KEEPCAPS 0 on all threads: %v", e)
}

// restartedRead blocks a thread in a pipe read while AllThreadsSyscall
// signals it: the runtime's handler has SA_RESTART, so the read resumes
// and ends at end of file, not with EINTR.
func restartedRead() {
	var p [2]int
	if err := syscall.Pipe2(p[:], syscall.O_CLOEXEC); err != nil {
		v.Check(false, "pipe: %v", err)
		return
	}
	done := make(chan error)
	go func() {
		var b [1]byte
		n, err := syscall.Read(p[0], b[:])
		if err == nil && n != 0 {
			err = fmt.Errorf("read %d bytes", n)
		}
		done <- err
	}()
	for range 20 {
		_, _, e := syscall.AllThreadsSyscall(syscall.SYS_GETPID, 0, 0, 0)
		v.Check(e == 0, "AllThreadsSyscall(getpid): %v", e)
		runtime.Gosched()
	}
	syscall.Close(p[1])
	err := <-done
	v.Check(err == nil, "a pipe read through signals: %v, want end of file", err)
	syscall.Close(p[0])
}

// openMany opens 1,200 files at once, as Go's syscall tests do: Go raises
// the program's descriptor limit to its hard limit, which must allow it.
func openMany() {
	var files []*os.File
	defer func() {
		for _, f := range files {
			f.Close()
		}
	}()
	for range 1200 {
		f, err := os.Open("/warren/program")
		if err != nil {
			v.Check(false, "open with %d files open: %v", len(files), err)
			return
		}
		files = append(files, f)
	}
}

func command(exe string, args ...string) *exec.Cmd {
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), "SELFEXEC_CHILD=1", "SELFEXEC_VALUE=42")
	return cmd
}

// child runs as the re-executed program.
func child(args []string) {
	switch args[0] {
	case "echo":
		pid := "pid=1"
		if os.Getpid() > 1 {
			pid = "pid>1"
		}
		fmt.Printf("%s ppid=%d args=[%s] env=%s\n", pid, os.Getppid(), strings.Join(args[1:], "|"), os.Getenv("SELFEXEC_VALUE"))
	case "exit":
		fmt.Fprintf(os.Stderr, "exiting %s\n", args[1])
		code, _ := strconv.Atoi(args[1])
		os.Exit(code)
	case "pwd":
		wd, _ := os.Getwd()
		fmt.Println(wd)
	case "ids":
		groups, _ := syscall.Getgroups()
		fmt.Printf("uid=%d/%d gid=%d/%d groups=%v setuid(0)=%v kill(1)=%v\n", syscall.Getuid(), syscall.Geteuid(),
			syscall.Getgid(), syscall.Getegid(), groups, syscall.Setuid(0), syscall.Kill(1, syscall.SIGUSR1))
	case "limit": // reports its descriptor limit once its input ends
		fmt.Println("ready")
		io.Copy(io.Discard, os.Stdin)
		var lim syscall.Rlimit
		syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim)
		fmt.Printf("nofile=%d\n", lim.Cur)
	case "keepcaps":
		caps, _, _ := syscall.RawSyscall(syscall.SYS_PRCTL, syscall.PR_GET_KEEPCAPS, 0, 0)
		fmt.Printf("keepcaps=%d\n", caps)
	case "cat":
		io.Copy(os.Stdout, os.Stdin)
	case "kill":
		p, _ := os.FindProcess(os.Getpid())
		p.Kill()
		select {}
	}
}
