package system

import (
	"syscall"
	"unsafe"

	"warren.dev/kernel/statsabi"
)

// readKernelStats copies the kernel's counters into c.
func readKernelStats(c *statsabi.Counters) error {
	_, _, e := syscall.Syscall(statsabi.SysStats, uintptr(unsafe.Pointer(c)), unsafe.Sizeof(*c), 0)
	if e != 0 {
		return e
	}
	return nil
}
