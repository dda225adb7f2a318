package main

import (
	"encoding/binary"
	"syscall"
	"unsafe"
)

// waitidStopped is waitid(P_PID, pid, WSTOPPED|WNOWAIT), which the
// syscall package does not offer: it returns the siginfo's si_code and
// si_status.
func waitidStopped(pid int) (code, status uint32, e syscall.Errno) {
	const pPID, wNOWAIT = 1, 0x1000000
	var info [128]byte
	_, _, e = syscall.Syscall6(syscall.SYS_WAITID, pPID, uintptr(pid), uintptr(unsafe.Pointer(&info)),
		syscall.WSTOPPED|wNOWAIT, 0, 0)
	return binary.LittleEndian.Uint32(info[8:]), binary.LittleEndian.Uint32(info[24:]), e
}
