package qemu

import (
	"os/exec"
	"syscall"
)

// dieWithParent has the kernel kill QEMU if the process that started it
// dies: a test binary that panics at its timeout, or a killed warren
// command, would otherwise leave the machine running, a host core busy,
// for as long as the guest does. (The signal follows the thread that
// forked; the Go runtime keeps its threads unless a goroutine that
// locked one exits, which nothing here does.)
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
