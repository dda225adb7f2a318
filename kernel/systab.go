package kernel

import (
	"golang.org/x/sys/unix"

	"warren.dev/kernel/procabi"
	"warren.dev/kernel/sockabi"
	"warren.dev/kernel/statsabi"
)

// runtimeSyscalls is the part of the Linux ABI the Go runtime and the
// standard library need from any kernel: memory, threads, signals, time,
// descriptors, polling and the read-only file tree. Higher layers
// (sockets) Register more.
var runtimeSyscalls = [...]Syscall{
	{unix.SYS_READ, sysRead, Full, ""},
	{unix.SYS_WRITE, sysWrite, Full, ""},
	{unix.SYS_OPEN, sysOpen, Partial, "read-only file tree, /dev/null, /dev/zero, /dev/urandom"},
	{unix.SYS_CLOSE, sysClose, Full, ""},
	{unix.SYS_STAT, sysStat, Full, ""},
	{unix.SYS_FSTAT, sysFstat, Full, ""},
	{unix.SYS_LSTAT, sysLstat, Full, ""},
	{unix.SYS_LSEEK, sysLseek, Full, ""},
	{unix.SYS_MMAP, sysMmap, Partial, "anonymous private mappings only, backed on first touch"},
	{unix.SYS_MPROTECT, sysMprotect, Full, ""},
	{unix.SYS_MUNMAP, sysMunmap, Full, ""},
	{unix.SYS_BRK, sysBrk, Full, "processes' breaks move; the Warren program's never does (Go does not use it)"},
	{unix.SYS_RT_SIGACTION, sysRtSigaction, Full, ""},
	{unix.SYS_RT_SIGPROCMASK, sysRtSigprocmask, Full, ""},
	{unix.SYS_RT_SIGRETURN, sysRtSigreturn, Full, ""},
	{unix.SYS_IOCTL, sysIoctl, Partial, "FIONBIO, FIONREAD; ENOTTY otherwise"},
	{unix.SYS_PREAD64, sysPread64, Full, ""},
	{unix.SYS_READV, sysReadv, Full, ""},
	{unix.SYS_WRITEV, sysWritev, Full, ""},
	{unix.SYS_ACCESS, sysAccess, Full, ""},
	{unix.SYS_SCHED_YIELD, sysSchedYield, Full, ""},
	{unix.SYS_MADVISE, sysMadvise, Full, "DONTNEED and FREE release pages; other advice is accepted"},
	{unix.SYS_DUP, sysDup, Full, ""},
	{unix.SYS_DUP2, sysDup2, Full, ""},
	{unix.SYS_NANOSLEEP, sysNanosleep, Full, ""},
	{unix.SYS_GETPID, sysGetpid, Full, "always 1"},
	{unix.SYS_CLONE, sysClone, Partial, "threads (CLONE_VM|CLONE_THREAD...) only; fork is ENOSYS"},
	{unix.SYS_EXIT, sysExit, Full, ""},
	{unix.SYS_KILL, sysKill, Full, ""},
	{unix.SYS_UNAME, sysUname, Full, ""},
	{unix.SYS_FCNTL, sysFcntl, Partial, "descriptor and status flags, F_DUPFD; no locks"},
	{unix.SYS_GETCWD, sysGetcwd, Full, ""},
	{unix.SYS_CHDIR, sysChdir, Full, ""},
	{unix.SYS_READLINK, sysReadlink, Full, ""},
	{unix.SYS_GETTIMEOFDAY, sysGettimeofday, Full, ""},
	{unix.SYS_SYSINFO, sysSysinfo, Partial, "uptime and memory"},
	{unix.SYS_GETUID, sysGetuid, Full, "root"},
	{unix.SYS_GETGID, sysGetuid, Full, "root"},
	{unix.SYS_SETUID, sysSetuidFamily, Stub, "EPERM"},
	{unix.SYS_SETGID, sysSetuidFamily, Stub, "EPERM"},
	{unix.SYS_GETEUID, sysGetuid, Full, "root"},
	{unix.SYS_GETEGID, sysGetuid, Full, "root"},
	{unix.SYS_GETPPID, sysGetppid, Full, "0"},
	{unix.SYS_SIGALTSTACK, sysSigaltstack, Full, ""},
	{unix.SYS_ARCH_PRCTL, sysArchPrctl, Partial, "FS base only; GS belongs to the kernel"},
	{unix.SYS_PRCTL, sysPrctl, Stub, "EINVAL"},
	{unix.SYS_GETTID, sysGettid, Full, ""},
	{unix.SYS_TKILL, sysTkill, Full, ""},
	{unix.SYS_TIME, sysTime, Full, ""},
	{unix.SYS_FUTEX, sysFutex, Partial, "WAIT, WAKE and their BITSET forms with a full bitset"},
	{unix.SYS_SCHED_GETAFFINITY, sysSchedGetaffinity, Full, "one CPU"},
	{unix.SYS_EPOLL_CREATE, sysEpollCreate, Full, ""},
	{unix.SYS_GETDENTS64, sysGetdents64, Full, ""},
	{unix.SYS_SET_TID_ADDRESS, sysSetTidAddress, Full, ""},
	{unix.SYS_SET_ROBUST_LIST, sysSetRobustList, Partial, "checked and accepted; robust futexes are not released when a thread dies"},
	{unix.SYS_RSEQ, sysNotSupported, Stub, "ENOSYS: libc runs without restartable sequences"},
	{unix.SYS_CLONE3, sysNotSupported, Stub, "ENOSYS: libc falls back to clone"},
	{unix.SYS_CLOCK_GETTIME, sysClockGettime, Full, "also in the vDSO"},
	{unix.SYS_CLOCK_GETRES, sysClockGetres, Full, ""},
	{unix.SYS_CLOCK_NANOSLEEP, sysClockNanosleep, Full, ""},
	{unix.SYS_EXIT_GROUP, sysExitGroup, Full, "powers the machine off with the status"},
	{unix.SYS_EPOLL_WAIT, sysEpollWait, Full, ""},
	{unix.SYS_EPOLL_CTL, sysEpollCtl, Full, "level and edge triggered, EPOLLONESHOT"},
	{unix.SYS_TGKILL, sysTgkill, Full, ""},
	{unix.SYS_OPENAT, sysOpenat, Partial, "read-only file tree, /dev/null, /dev/zero, /dev/urandom"},
	{unix.SYS_NEWFSTATAT, sysNewfstatat, Full, ""},
	{unix.SYS_READLINKAT, sysReadlinkat, Full, ""},
	{unix.SYS_FACCESSAT, sysFaccessat, Full, ""},
	{unix.SYS_FACCESSAT2, sysFaccessat, Full, ""},
	{unix.SYS_EPOLL_PWAIT, sysEpollPwait, Partial, "the signal mask is ignored"},
	{unix.SYS_EVENTFD2, sysEventfd2, Full, ""},
	{unix.SYS_EPOLL_CREATE1, sysEpollCreate1, Full, ""},
	{unix.SYS_DUP3, sysDup3, Full, ""},
	{unix.SYS_PIPE, sysPipe, Full, ""},
	{unix.SYS_PIPE2, sysPipe2, Full, ""},
	{unix.SYS_PAUSE, sysPause, Full, ""},
	{unix.SYS_PRLIMIT64, sysPrlimit64, Partial, "the caller's own limits; RLIMIT_NOFILE, RLIMIT_NPROC (threads) and RLIMIT_RSS (resident memory) are enforced for processes"},
	{unix.SYS_GETRANDOM, sysGetrandom, Full, "RDSEED/RDRAND"},
	{sysWarrenFaultWait, sysFaultWait, Full, "Warren: the fault reporter waits for a kernel fault"},
	{sysWarrenDebugFault, sysDebugFault, Full, "Warren: fault in kernel mode on purpose (warren.debug=fault)"},
	{sysWarrenDMAAlloc, sysDMAAlloc, Full, "Warren: physically contiguous memory for device DMA"},
	{sysWarrenDMAFree, sysDMAFree, Full, "Warren: release DMA memory"},
	{sysWarrenMMIOMap, sysMMIOMap, Full, "Warren: map device registers uncached"},
	{sysWarrenIRQMSI, sysIRQMSI, Full, "Warren: an MSI vector and its interrupt file"},
	{sysWarrenIRQLine, sysIRQLine, Full, "Warren: route a legacy interrupt line to an interrupt file"},
	{sockabi.SysServe, sysServe, Full, "Warren: the socket layer takes a forwarded call"},
	{sockabi.SysReply, sysReply, Full, "Warren: the socket layer answers a call"},
	{sockabi.SysInstall, sysSockInstall, Full, "Warren: a descriptor for a new socket"},
	{sockabi.SysReady, sysSockReady, Full, "Warren: a socket's readiness, for epoll and poll"},
	{sockabi.SysCopyIn, sysCopyIn, Full, "Warren: checked copy from a caller's memory"},
	{sockabi.SysCopyOut, sysCopyOut, Full, "Warren: checked copy to a caller's memory"},
	{sockabi.SysSetFile, sysSetFile, Full, "Warren: contents of a served read-only file (/etc/resolv.conf, ...)"},
	{sockabi.SysSetAddr, sysSetAddr, Full, "Warren: a socket's local or peer address, for getsockname and getpeername"},
	{sockabi.SysLookup, sysSockLookup, Full, "Warren: the socket behind a descriptor, for a call the program serves itself"},
	{procabi.SysCreate, sysProcCreate, Full, "Warren: an empty ring-3 process, for the loader"},
	{procabi.SysMap, sysProcMap, Full, "Warren: zeroed memory in a process being loaded"},
	{procabi.SysWrite, sysProcWrite, Full, "Warren: copy the loader's bytes into a process"},
	{procabi.SysProtect, sysProcProtect, Full, "Warren: mprotect in a process being loaded"},
	{procabi.SysStart, sysProcStart, Full, "Warren: start a loaded process's first thread"},
	{procabi.SysWait, sysProcWait, Full, "Warren: wait for a process's end and its status"},
	{statsabi.SysStats, sysStats, Full, "Warren: the kernel's event counters (warren.stats=PORT serves them)"},
	{unix.SYS_SOCKET, sysSocket, Full, "AF_INET, AF_INET6 (stream, datagram, ICMP echo), AF_NETLINK (NETLINK_ROUTE); served by the socket layer"},
	{unix.SYS_SOCKETPAIR, sysSocketpair, Stub, "no AF_UNIX"},
	{unix.SYS_GETSOCKNAME, sysGetsockname, Full, ""},
	{unix.SYS_GETPEERNAME, sysGetpeername, Full, ""},
	{unix.SYS_POLL, sysPoll, Full, ""},
	{unix.SYS_SPLICE, sysNoSplice, Stub, "EINVAL: Go falls back to copying"},
	{unix.SYS_TEE, sysNoSplice, Stub, "EINVAL"},
	{unix.SYS_SENDFILE, sysNoSplice, Stub, "EINVAL: Go falls back to copying"},
	{unix.SYS_PPOLL, sysPpoll, Partial, "the signal mask is ignored"},
}

// Warren's own calls, above Linux's numbers.
const (
	sysWarrenFaultWait  = 500
	sysWarrenDebugFault = 501
	sysWarrenDMAAlloc   = 502
	sysWarrenDMAFree    = 503
	sysWarrenMMIOMap    = 504
	sysWarrenIRQMSI     = 505
	sysWarrenIRQLine    = 506
	// sysWarrenFirst starts Warren's calls, which only the Warren program
	// may make.
	sysWarrenFirst = sysWarrenFaultWait
)
