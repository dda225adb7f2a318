package main

import (
	"syscall"
	"unsafe"

	"warren.dev/kernel/statsabi"
)

// counters reads the kernel's counters; false outside the Warren
// program (a ring-3 process gets ENOSYS).
func counters() (statsabi.Counters, bool) {
	var c statsabi.Counters
	_, _, e := syscall.Syscall(statsabi.SysStats, uintptr(unsafe.Pointer(&c)), unsafe.Sizeof(c), 0)
	return c, e == 0
}
