// Package system assembles a Warren image: importing it links the kernel,
// the drivers and the network stack into a Go program and starts them
// before main. The warren tool adds the import at build time, so programs
// need no change.
package system

import (
	"fmt"
	"os"
	"syscall"

	_ "warren.dev/kernel"
	"warren.dev/kernel/sockabi"
	"warren.dev/sockets"
)

func init() {
	if !onWarren() {
		return
	}
	startNetwork()
	// Announce the socket layer before main runs, so the kernel queues
	// socket calls for it instead of refusing them, then serve them.
	syscall.RawSyscall(sockabi.SysServe, 0, 0, 0)
	go func() {
		if err := sockets.Serve(&adaptiveProcs{Server: sockets.System()}); err != nil {
			fmt.Fprintf(os.Stderr, "warren: socket layer: %v\n", err)
		}
	}()
}

// onWarren tells a Warren machine from a Linux host: Warren answers its
// own fault-wait call's size check with EINVAL, Linux knows no such call.
func onWarren() bool {
	_, _, e := syscall.RawSyscall(500, 0, 1, 0)
	return e == syscall.EINVAL
}
