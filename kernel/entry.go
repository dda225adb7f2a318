package kernel

// Assembly entry points (trap_amd64.s, vectors_amd64.s, syscallstubs_amd64.s).

// trapEntry saves the registers and switches to the kernel's page
// tables; trapBody completes the trap frame and calls trap. Never called
// from Go.
func trapEntry()
func trapBody()

// trapExit loads the page tables in AX and leaves through the frame at SP.
// Never called from Go.
func trapExit()

// trapBodyAddr and trapExitAddr return trapBody's and trapExit's
// addresses in the image.
func trapBodyAddr() uint64
func trapExitAddr() uint64

// trapReturn leaves the kernel through the trap frame at SP. Never called
// from Go.
func trapReturn()

// syscallEntry is where the SYSCALL stubs continue. Never called from Go.
func syscallEntry()

// syscallStubs returns the table of each CPU's SYSCALL stub address, for
// its IA32_LSTAR (syscallstubs_amd64.s).
func syscallStubs() *[maxCPUs]uint64

// swtch stores the running thread's kernel stack pointer into *from and
// resumes the thread whose saved stack pointer is to.
func swtch(from *uint64, to uint64)

// threadStart is the first return address of a new thread.
func threadStart()

// start64 is the 64-bit entry from the 32-bit code of the Multiboot and
// PVH entries.
func start64()

// threadStartPC returns threadStart's address.
func threadStartPC() uint64

// rt0PC returns the Go runtime's Linux entry point, _rt0_amd64_linux.
func rt0PC() uint64

// apStart64 is where an application processor enters 64-bit code from the
// trampoline. Never called from Go.
func apStart64()

// apStart64Addr returns apStart64's address, for the trampoline.
func apStart64Addr() uint64
