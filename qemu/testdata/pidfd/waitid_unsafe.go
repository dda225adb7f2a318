package main

import (
	"encoding/binary"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// childInfo is what waitid reports of a child.
type childInfo struct{ signo, pid, status int32 }

// waitidPidfd is waitid(P_PIDFD, fd, options); unix.Siginfo hides
// si_pid and si_status.
func waitidPidfd(fd, options int) (childInfo, error) {
	var b [128]byte
	_, _, e := syscall.Syscall6(syscall.SYS_WAITID, unix.P_PIDFD, uintptr(fd), uintptr(unsafe.Pointer(&b)), uintptr(options), 0, 0)
	i := childInfo{int32(binary.LittleEndian.Uint32(b[0:])), int32(binary.LittleEndian.Uint32(b[16:])), int32(binary.LittleEndian.Uint32(b[24:]))}
	if e != 0 {
		return i, e
	}
	return i, nil
}
