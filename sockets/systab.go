package sockets

import "golang.org/x/sys/unix"

// table is every call the layer serves: the socket calls, and the
// descriptor calls the kernel forwards for socket descriptors. The kernel
// makes sockets (socket, socketpair) and answers getsockname and
// getpeername from the addresses the layer gives it.
var table = [...]Entry{
	{unix.SYS_READ, "read", sysRead, Full, "sockets: at most 64 KiB per call, a short count as Linux may return"},
	{unix.SYS_WRITE, "write", sysWrite, Partial, "sockets: at most 64 KiB per call (a short count beyond); EPIPE without SIGPIPE"},
	{unix.SYS_IOCTL, "ioctl", sysIoctl, Partial, "sockets: FIONREAD, SIOCOUTQ, SIOCGIFCONF, SIOCGIF{INDEX,NAME,FLAGS,MTU,HWADDR,ADDR,NETMASK,BRDADDR}; ENOTTY otherwise"},
	{unix.SYS_PREAD64, "pread64", sysPread, Full, "sockets: ESPIPE"},
	{unix.SYS_PWRITE64, "pwrite64", sysPread, Full, "sockets: ESPIPE"},
	{unix.SYS_READV, "readv", sysReadv, Full, "sockets: at most 64 KiB per call"},
	{unix.SYS_WRITEV, "writev", sysWritev, Partial, "sockets: at most 64 KiB per call (a short count beyond)"},
	{unix.SYS_SENDFILE, "sendfile", sysSendfile, Partial, "sockets: at most 64 KiB per call (a short count beyond)"},
	{unix.SYS_SPLICE, "splice", sysSplice, Partial, "sockets: to or from a pipe"},
	{unix.SYS_CONNECT, "connect", sysConnect, Full, ""},
	{unix.SYS_ACCEPT, "accept", sysAccept, Full, ""},
	{unix.SYS_SENDTO, "sendto", sysSendto, Partial, "EPIPE without SIGPIPE; datagrams up to 64 KiB"},
	{unix.SYS_RECVFROM, "recvfrom", sysRecvfrom, Full, ""},
	{unix.SYS_SENDMSG, "sendmsg", sysSendmsg, Partial, "control messages: SCM_RIGHTS on unix sockets (up to 253 descriptors), SCM_CREDENTIALS accepted unchecked; ignored on other sockets"},
	{unix.SYS_RECVMSG, "recvmsg", sysRecvmsg, Partial, "control messages: SCM_CREDENTIALS (SO_PASSCRED) and SCM_RIGHTS from unix sockets (MSG_CTRUNC, MSG_CMSG_CLOEXEC, MSG_PEEK copies); none otherwise"},
	{unix.SYS_SHUTDOWN, "shutdown", sysShutdown, Full, ""},
	{unix.SYS_BIND, "bind", sysBind, Full, ""},
	{unix.SYS_LISTEN, "listen", sysListen, Full, "backlog capped at somaxconn (4096)"},
	{unix.SYS_SETSOCKOPT, "setsockopt", sysSetsockopt, Partial, "common SOL_SOCKET, SOL_TCP, SOL_IP and SOL_IPV6 options (sockopt.go); ENOPROTOOPT otherwise"},
	{unix.SYS_GETSOCKOPT, "getsockopt", sysGetsockopt, Partial, "as setsockopt, with SO_ERROR, SO_TYPE, SO_DOMAIN, SO_PROTOCOL, SO_ACCEPTCONN, and SO_PEERCRED on unix sockets"},
	{unix.SYS_ACCEPT4, "accept4", sysAccept4, Full, ""},
	{unix.SYS_RECVMMSG, "recvmmsg", sysRecvmmsg, Partial, "the timeout is ignored; control messages as recvmsg"},
	{unix.SYS_SENDMMSG, "sendmmsg", sysSendmmsg, Partial, "control messages as sendmsg"},
}
