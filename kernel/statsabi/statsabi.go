// Package statsabi is the contract between the kernel and the program for
// the kernel's event counters: what a system call, an interrupt or a
// thread switch cost is counted in plain integers the kernel increments
// as it goes (kernel context holds the kernel lock, so the increments
// need no atomics), and SysStats copies them out. The system
// serves them over HTTP with warren.stats=PORT (warren.dev/system).
//
// Every counter counts from boot and only grows; a cost is the difference
// of two readings.
package statsabi

// SysStats (buf, size) copies the first min(size, Size) bytes of the
// kernel's Counters to buf and returns Size, so that a program built
// against fewer counters reads the ones it knows. Only the Warren program
// may call it (processes get ENOSYS, as for every Warren call).
const SysStats = 521

// MaxNr bounds the system-call numbers counted one by one: the kernel's
// dispatch table has as many entries.
const MaxNr = 1024

// Counters are the kernel's counters, in the layout SysStats copies out.
// New counters go at the end, before ByNr.
type Counters struct {
	// Traps counts every entry into the kernel: system calls, interrupts
	// and exceptions.
	Traps uint64
	// Syscalls counts SYSCALL instructions, whoever made them;
	// ProcSyscalls those of ring-3 processes, WarrenCalls those numbered
	// 500 and up (Warren's own: the socket layer's serve, reply and
	// copies, the drivers' calls, this one).
	Syscalls, ProcSyscalls, WarrenCalls uint64
	// Forwarded counts socket calls queued for the socket layer (each a
	// request its caller sleeps on until the reply); ProcForwarded those
	// made by ring-3 processes.
	Forwarded, ProcForwarded uint64
	// TimerInterrupts are the local APIC timer's (sleeps, timeouts, the
	// end of a time slice), DeviceInterrupts those of devices (MSI, MSI-X
	// and I/O APIC lines: the NICs), SpuriousInterrupts the APIC's
	// spurious vector.
	TimerInterrupts, DeviceInterrupts, SpuriousInterrupts uint64
	// PageFaults counts page faults served: demand paging of user memory
	// and of the program's lazily backed tail, and faults that became
	// SIGSEGV. Exceptions counts the other CPU exceptions raised in user
	// mode (each becomes a signal).
	PageFaults, Exceptions uint64
	// Signals counts signal frames built for handlers (the Go runtime's
	// SIGURG preemption among them).
	Signals uint64
	// ContextSwitches counts switches from one thread to another, the
	// idle thread included; IdleHalts the idle thread halting the CPU
	// until an interrupt, nothing being runnable.
	ContextSwitches, IdleHalts uint64
	// Sleeps counts threads blocking in the kernel (futex, poll, epoll,
	// pipes, a socket call waiting for its reply, the socket layer waiting
	// for work); Wakeups threads made runnable again, however (woken,
	// timed out, signalled); TimerWakeups those whose deadline passed.
	Sleeps, Wakeups, TimerWakeups uint64
	// Preemptions counts returns to user mode that gave the CPU to
	// another runnable thread (the time slice ended, or a timer woke a
	// sleeper).
	Preemptions uint64
	// CopyInBytes and CopyOutBytes count the bytes the kernel read from
	// and wrote to user memory (the program's or a process's) through its
	// one copy path (mm/usercopy): system-call arguments and results, the
	// data of reads and writes on files, pipes and sockets. SockCopyBytes
	// counts the bytes the socket layer moved between a caller's memory
	// and its own buffers (warren_copyin, warren_copyout); each of those
	// is read from one memory and written to another, so it is in
	// CopyInBytes and CopyOutBytes too.
	CopyInBytes, CopyOutBytes, SockCopyBytes uint64
	// SockWouldBlock counts socket calls the kernel answered EAGAIN
	// itself, from the readiness the socket layer reported, instead of
	// forwarding them (sockabi.ExactIO).
	SockWouldBlock uint64
	// Shootdowns counts page-table changes that every other CPU had to
	// flush its TLB for before the kernel went on; ReschedIPIs the
	// interprocessor interrupts sent to wake a halted CPU for a queued
	// thread or to make a thread running on another CPU enter the kernel
	// (a signal, its process's end). Both stay 0 on one CPU.
	Shootdowns, ReschedIPIs uint64
	// LockWaits counts the times a CPU found the kernel lock held when it
	// entered kernel context, and LockWaitNanos the time CPUs spent
	// waiting for it: what running kernel context on one CPU at a time
	// costs; LockParks the waits long enough that the CPU halted until
	// the lock was let go (all 0 on one CPU).
	LockWaits, LockWaitNanos, LockParks uint64
	// TimerArms counts writes of a CPU's local APIC timer: each is a
	// write to device memory, which exits to the VMM.
	TimerArms uint64
	// ByNr counts Syscalls by number, below MaxNr.
	ByNr [MaxNr]uint64
}

// Size is the size of Counters in bytes.
const Size = 28*8 + MaxNr*8
