// Command jobctl is the program in an image built with -selfexe: it
// starts itself as a child process and drives it through job control,
// checking what wait4 and waitid report and what the child does: a stop
// by SIGSTOP or SIGTSTP (WUNTRACED, WSTOPPED with WNOWAIT, reported
// once), SIGCHLD for each stop and continue, no progress while stopped,
// SIGCONT (WCONTINUED), SIGKILL of a stopped child, a signal held until
// the child continues, and the real exit after all that.
// It prints "jobctl: ok" and exits 0, or names each failed check and
// exits 1. Run as the child (JOBCTL_CHILD set), it echoes its input.
package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"time"

	"warren.dev/qemu/testdata/internal/verdict"
)

var v = verdict.New("jobctl")

func main() {
	if os.Getenv("JOBCTL_CHILD") != "" {
		echo()
		return
	}
	sigchld := make(chan os.Signal, 16)
	signal.Notify(sigchld, syscall.SIGCHLD)

	c := start()
	pid := c.cmd.Process.Pid

	// A stop is reported to waitid with WNOWAIT, then once to wait4.
	syscall.Kill(pid, syscall.SIGSTOP)
	code, status, e := waitidStopped(pid)
	v.Check(e == 0 && code == 5 && status == uint32(syscall.SIGSTOP),
		"waitid(WSTOPPED|WNOWAIT): %v, si_code %d si_status %d; want CLD_STOPPED (5), SIGSTOP", e, code, status)
	ws := wait(pid, syscall.WUNTRACED)
	v.Check(ws.Stopped() && ws.StopSignal() == syscall.SIGSTOP, "wait4(WUNTRACED) after SIGSTOP: %#x", uint32(ws))
	got, err := syscall.Wait4(pid, &ws, syscall.WUNTRACED|syscall.WNOHANG, nil)
	v.Check(got == 0 && err == nil, "a second wait4(WUNTRACED|WNOHANG): %d, %v; the stop was reported already", got, err)
	expectSIGCHLD(sigchld, "the stop")

	// Stopped, it reads nothing: its echo comes only after SIGCONT.
	io.WriteString(c.in, "a\n")
	c.out.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
	line, err := c.r.ReadString('\n')
	v.Check(errors.Is(err, os.ErrDeadlineExceeded), "a stopped child echoed %q (%v)", line, err)
	c.out.SetReadDeadline(time.Time{})
	syscall.Kill(pid, syscall.SIGCONT)
	ws = wait(pid, syscall.WCONTINUED)
	v.Check(ws.Continued(), "wait4(WCONTINUED) after SIGCONT: %#x", uint32(ws))
	expectSIGCHLD(sigchld, "the continue")
	c.expect("a")

	// SIGTSTP at its default action stops as well; a SIGTERM sent while
	// stopped waits for SIGCONT, and then ends the child.
	syscall.Kill(pid, syscall.SIGTSTP)
	ws = wait(pid, syscall.WUNTRACED)
	v.Check(ws.Stopped() && ws.StopSignal() == syscall.SIGTSTP, "wait4(WUNTRACED) after SIGTSTP: %#x", uint32(ws))
	syscall.Kill(pid, syscall.SIGTERM)
	got, err = syscall.Wait4(pid, &ws, syscall.WNOHANG, nil)
	v.Check(got == 0 && err == nil, "wait4(WNOHANG) of a stopped child sent SIGTERM: %d, %v, %#x", got, err, uint32(ws))
	syscall.Kill(pid, syscall.SIGCONT)
	ws = wait(pid, 0)
	v.Check(ws.Signaled() && ws.Signal() == syscall.SIGTERM, "wait4 after SIGTERM and SIGCONT: %#x", uint32(ws))
	c.close()

	// SIGKILL ends a stopped child.
	c = start()
	pid = c.cmd.Process.Pid
	syscall.Kill(pid, syscall.SIGSTOP)
	ws = wait(pid, syscall.WUNTRACED)
	v.Check(ws.Stopped(), "wait4(WUNTRACED) after SIGSTOP: %#x", uint32(ws))
	syscall.Kill(pid, syscall.SIGKILL)
	ws = wait(pid, syscall.WUNTRACED|syscall.WCONTINUED)
	v.Check(ws.Signaled() && ws.Signal() == syscall.SIGKILL, "wait4 after SIGKILL of a stopped child: %#x", uint32(ws))
	c.close()

	// Stopped and continued, a child still exits normally, and os/exec's
	// Wait sees that exit, not the stop.
	c = start()
	pid = c.cmd.Process.Pid
	syscall.Kill(pid, syscall.SIGSTOP)
	wait(pid, syscall.WUNTRACED)
	syscall.Kill(pid, syscall.SIGCONT)
	io.WriteString(c.in, "b\n")
	c.expect("b")
	c.in.Close()
	err = c.cmd.Wait()
	v.Check(err == nil, "Wait after stop, continue and end of input: %v", err)

	v.End()
}

// child is a started child and the parent's ends of its pipes.
type child struct {
	cmd *exec.Cmd
	in  *os.File
	out *os.File
	r   *bufio.Reader
}

// start starts the echoing child and waits until it answers.
func start() *child {
	cmd := exec.Command("/proc/self/exe")
	cmd.Env = append(os.Environ(), "JOBCTL_CHILD=1")
	inR, inW, _ := os.Pipe()
	outR, outW, _ := os.Pipe()
	cmd.Stdin, cmd.Stdout, cmd.Stderr = inR, outW, os.Stderr
	if err := cmd.Start(); err != nil {
		fmt.Println("jobctl: FAIL: start:", err)
		os.Exit(1)
	}
	inR.Close()
	outW.Close()
	c := &child{cmd: cmd, in: inW, out: outR, r: bufio.NewReader(outR)}
	io.WriteString(c.in, "up\n")
	c.expect("up")
	return c
}

// expect reads the child's next echoed line.
func (c *child) expect(want string) {
	line, err := c.r.ReadString('\n')
	v.Check(err == nil && line == "echo "+want+"\n", "echo: %q, %v; want %q", line, err, want)
}

func (c *child) close() {
	c.in.Close()
	c.out.Close()
}

// wait is wait4 for pid with options, which must succeed.
func wait(pid, options int) syscall.WaitStatus {
	var ws syscall.WaitStatus
	got, err := syscall.Wait4(pid, &ws, options, nil)
	v.Check(got == pid && err == nil, "wait4(%d, %#x): %d, %v", pid, options, got, err)
	return ws
}

// expectSIGCHLD waits for the SIGCHLD that what reports.
func expectSIGCHLD(ch chan os.Signal, what string) {
	select {
	case <-ch:
	case <-time.After(time.Minute):
		v.Check(false, "no SIGCHLD for %s", what)
	}
}

// echo is the child: each line in comes back prefixed with "echo ".
func echo() {
	s := bufio.NewScanner(os.Stdin)
	for s.Scan() {
		fmt.Printf("echo %s\n", s.Text())
	}
}
