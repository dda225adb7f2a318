// Package system assembles a Warren image: importing it links the kernel,
// the drivers and the network stack into a Go program and starts them
// before main. The warren tool adds the import at build time, so programs
// need no change.
package system

import (
	"syscall"

	_ "warren.dev/kernel"
)

func init() {
	if onWarren() {
		startNetwork()
	}
}

// onWarren tells a Warren machine from a Linux host: Warren answers its
// own fault-wait call's size check with EINVAL, Linux knows no such call.
func onWarren() bool {
	_, _, e := syscall.RawSyscall(500, 0, 1, 0)
	return e == syscall.EINVAL
}
