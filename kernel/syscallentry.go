package kernel

// System call entry (syscallentry_amd64.s): each CPU's SYSCALL stub
// (syscallstubs_amd64.s) continues at syscallEntry, which makes the frame
// a trap's and joins trapEntry; trap hands it to doSyscall (syscall.go).

// syscallEntry is where the SYSCALL stubs continue. Never called from Go.
func syscallEntry()

// syscallStubs returns the table of each CPU's SYSCALL stub address, for
// its IA32_LSTAR (syscallstubs_amd64.s).
func syscallStubs() *[maxCPUs]uint64
