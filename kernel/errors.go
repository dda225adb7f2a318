package kernel

import "errors"

var (
	errBadSyscallEntry  = errors.New("kernel: syscall entry with a number out of range or no handler")
	errDuplicateSyscall = errors.New("kernel: syscall number registered twice")
)
