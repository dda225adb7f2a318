package kernel

// threadStart is the first return address of a new thread
// (threadstart_amd64.s): it calls threadBegin and leaves the kernel
// through the thread's trap frame.
func threadStart()

// threadStartPC returns threadStart's address.
func threadStartPC() uint64

// rt0PC returns the Go runtime's Linux entry point, _rt0_amd64_linux.
func rt0PC() uint64
