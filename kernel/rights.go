package kernel

import (
	"golang.org/x/sys/unix"

	"warren.dev/kernel/cpu"
	"warren.dev/kernel/sockabi"
)

// Descriptors in flight (SCM_RIGHTS): the socket layer carries a message's
// descriptors as slots of this table, each holding a reference on an open
// file description, from the sender's table to the receiver's. A slot
// holds its file's index plus one (0: free).
var inFlight [sockabi.MaxInFlight]int32

// sysRightsGet takes a reference on the file behind descriptor RDI of
// request RSI's caller into a free slot.
//
// Context: kernel (no allocation, no pointer stores).
func sysRightsGet(f *cpu.TrapFrame) (uint64, unix.Errno) {
	p, e := requestCaller(f.RSI)
	if e != 0 {
		return 0, e
	}
	file, e := fdTables[p].File(f.RDI)
	if e != 0 {
		return 0, e
	}
	for i := range inFlight {
		if inFlight[i] == 0 {
			openFiles[file].refs++
			inFlight[i] = file + 1
			return uint64(i), 0
		}
	}
	return 0, unix.ETOOMANYREFS
}

// inFlightFile is the file in slot s.
func inFlightFile(s uint64) (int32, unix.Errno) {
	if s >= uint64(len(inFlight)) || inFlight[s] == 0 {
		return 0, unix.EINVAL
	}
	return inFlight[s] - 1, 0
}

// sysRightsInstall gives request RDX's caller a descriptor for the file
// in slot RDI.
//
// Context: kernel (no allocation, no pointer stores).
func sysRightsInstall(f *cpu.TrapFrame) (uint64, unix.Errno) {
	p, e := requestCaller(f.RDX)
	if e != 0 {
		return 0, e
	}
	file, e := inFlightFile(f.RDI)
	if e != 0 {
		return 0, e
	}
	if f.RSI&sockabi.RightsKeep != 0 {
		openFiles[file].refs++
	} else {
		inFlight[f.RDI] = 0
	}
	fd, e := installFDIn(p, file, 0, uint32(f.RSI)&unix.O_CLOEXEC != 0)
	return uint64(fd), e
}

// sysRightsPut drops the reference in slot RDI.
//
// Context: kernel (no allocation, no pointer stores).
func sysRightsPut(f *cpu.TrapFrame) (uint64, unix.Errno) {
	file, e := inFlightFile(f.RDI)
	if e != 0 {
		return 0, e
	}
	inFlight[f.RDI] = 0
	releaseFile(file)
	return 0, 0
}
