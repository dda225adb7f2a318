// Command pidfd is the program in an image built with -selfexe: it
// checks that Go's os package uses pidfds to start, signal and wait for
// children, and the pidfd calls themselves (pidfd_open's errors, poll,
// waitid's P_PIDFD with a nonblocking pidfd, read), then starts itself
// as a ring-3 process that runs the same checks there. It prints
// "pidfd: ok" and exits 0, or names each failed check and exits 1.
//
// PIDFD_ROLE selects what a re-executed copy does: "ring3" runs the
// checks, "child" reads its standard input to the end and exits 3.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"warren.dev/qemu/testdata/internal/verdict"
)

var v = verdict.New("pidfd")

func main() {
	switch os.Getenv("PIDFD_ROLE") {
	case "child":
		io.Copy(io.Discard, os.Stdin)
		os.Exit(3)
	case "ring3":
		checks("ring3")
	default:
		checks("image")
		cmd := exec.Command("/proc/self/exe")
		cmd.Env = env("ring3")
		out, err := cmd.CombinedOutput()
		os.Stdout.Write(out)
		v.Check(err == nil, "the ring-3 copy: %v", err)
	}
	v.End()
}

// checks runs every check, in the image or in a ring-3 process (where).
func checks(where string) {
	fmt.Println("pidfd: checks in", where)
	osUsesPidfds()
	pidfdCalls()
}

// env is the environment with PIDFD_ROLE set to role: os.StartProcess,
// unlike os/exec, would let a first PIDFD_ROLE win.
func env(role string) []string {
	e := []string{"PIDFD_ROLE=" + role}
	for _, v := range os.Environ() {
		if !strings.HasPrefix(v, "PIDFD_ROLE=") {
			e = append(e, v)
		}
	}
	return e
}

// start starts a child that exits 3 at the end of its input, which w
// writes.
func start() (*os.Process, *os.File) {
	r, w, err := os.Pipe()
	if err != nil {
		fmt.Println("pidfd: FAIL: pipe:", err)
		os.Exit(1)
	}
	defer r.Close()
	p, err := os.StartProcess("/proc/self/exe", []string{"child"}, &os.ProcAttr{
		Env:   env("child"),
		Files: []*os.File{r, os.Stdout, os.Stderr},
	})
	if err != nil {
		fmt.Println("pidfd: FAIL: StartProcess:", err)
		os.Exit(1)
	}
	return p, w
}

// pidfds lists the caller's descriptors that are pidfds: those
// waitid(P_PIDFD) accepts.
func pidfds() []int {
	var fds []int
	for fd := 0; fd < 64; fd++ {
		if _, err := waitidPidfd(fd, unix.WEXITED|unix.WNOHANG|unix.WNOWAIT); err == nil {
			fds = append(fds, fd)
		}
	}
	return fds
}

// osUsesPidfds: os.StartProcess gives the parent a pidfd for the child
// (it passes CLONE_PIDFD only once its own pidfd checks pass), Signal
// and Wait work through it, and the pidfd is closed after Wait.
func osUsesPidfds() {
	before := len(pidfds())
	p, w := start()
	fds := pidfds()
	v.Check(len(fds) == before+1, "after StartProcess, pidfds %v (%d before): os does not use pidfds", fds, before)
	v.Check(p.Signal(syscall.Signal(0)) == nil, "Signal(0) of a running child failed")
	v.Check(p.Signal(syscall.SIGTERM) == nil, "Signal(SIGTERM) failed")
	st, err := p.Wait()
	v.Check(err == nil && st.Sys().(syscall.WaitStatus).Signal() == syscall.SIGTERM,
		"Wait after SIGTERM: %v, %v", st, err)
	v.Check(st != nil && st.Pid() == p.Pid, "Wait's pid %v, want %d", st, p.Pid)
	v.Check(len(pidfds()) == before, "after Wait, pidfds %v, want %d", pidfds(), before)
	err = p.Signal(syscall.SIGTERM)
	v.Check(errors.Is(err, os.ErrProcessDone), "Signal after Wait: %v, want ErrProcessDone", err)
	w.Close()

	// An exit status comes back through the pidfd as well.
	p, w = start()
	w.Close()
	st, err = p.Wait()
	v.Check(err == nil && st.ExitCode() == 3, "Wait after the child's exit: %v, %v; want exit status 3", st, err)
}

// pidfdCalls checks pidfd_open, poll, read and waitid(P_PIDFD) directly.
func pidfdCalls() {
	_, err := unix.PidfdOpen(os.Getpid(), 1)
	v.Check(err == unix.EINVAL, "pidfd_open with flags 1: %v, want EINVAL", err)
	_, err = unix.PidfdOpen(1<<30, 0)
	v.Check(err == unix.ESRCH, "pidfd_open of no process: %v, want ESRCH", err)

	p, w := start()
	fd, err := unix.PidfdOpen(p.Pid, unix.PIDFD_NONBLOCK)
	v.Check(err == nil, "pidfd_open(child, PIDFD_NONBLOCK): %v", err)
	flags, _ := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
	v.Check(flags&unix.FD_CLOEXEC != 0, "pidfd not close-on-exec: F_GETFD %#x", flags)
	_, err = unix.Read(fd, make([]byte, 8))
	v.Check(err == unix.EINVAL, "read of a pidfd: %v, want EINVAL", err)
	var sb unix.Stat_t
	v.Check(unix.Fstat(fd, &sb) == nil, "fstat of a pidfd failed")
	pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
	n, err := unix.Poll(pfd, 0)
	v.Check(n == 0 && err == nil, "poll of a running child's pidfd: %d, %v, revents %#x; want nothing", n, err, pfd[0].Revents)
	_, err = waitidPidfd(fd, unix.WEXITED)
	v.Check(err == unix.EAGAIN, "waitid of a running child's nonblocking pidfd: %v, want EAGAIN", err)
	info, err := waitidPidfd(fd, unix.WEXITED|unix.WNOHANG)
	v.Check(err == nil && info.signo == 0, "waitid(WNOHANG) of a running child's nonblocking pidfd: %v, signo %d", err, info.signo)

	w.Close() // the child exits 3
	pfd[0].Revents = 0
	for n, err = unix.Poll(pfd, 10_000); err == unix.EINTR; n, err = unix.Poll(pfd, 10_000) { // SIGCHLD
	}
	v.Check(n == 1 && err == nil && pfd[0].Revents&unix.POLLIN != 0, "poll of the pidfd as the child exits: %d, %v, revents %#x; want POLLIN", n, err, pfd[0].Revents)
	info, err = waitidPidfd(fd, unix.WEXITED)
	v.Check(err == nil && info.signo == int32(unix.SIGCHLD) && info.pid == int32(p.Pid) && info.status == 3,
		"waitid(P_PIDFD) of the ended child: %v, %+v", err, info)
	_, err = waitidPidfd(fd, unix.WEXITED)
	v.Check(err == unix.ECHILD, "second waitid(P_PIDFD): %v, want ECHILD", err)
	n, _ = unix.Poll(pfd, 0)
	v.Check(n == 1 && pfd[0].Revents&unix.POLLIN != 0, "poll of a collected child's pidfd: %d, revents %#x", n, pfd[0].Revents)
	err = unix.PidfdSendSignal(fd, unix.SIGTERM, nil, 0)
	v.Check(err == unix.ESRCH, "pidfd_send_signal to a collected child: %v, want ESRCH", err)
	unix.Close(fd)

	// Descriptors that are not pidfds.
	_, err = waitidPidfd(1000, unix.WEXITED)
	v.Check(err == unix.EBADF, "waitid(P_PIDFD) of a closed descriptor: %v, want EBADF", err)
	_, err = waitidPidfd(1, unix.WEXITED)
	v.Check(err == unix.EBADF, "waitid(P_PIDFD) of standard output: %v, want EBADF", err)
}
