// Package sockets is Warren's socket layer: the Linux socket system calls
// of an unmodified Go program, served over gVisor's netstack.
//
// The kernel owns descriptors, epoll and files. It makes sockets itself
// and answers getsockname and getpeername from the addresses this layer
// gives it (Go makes those four calls with RawSyscall); the other socket
// calls, and read, write and friends on socket descriptors, it forwards
// (kernel/sockabi). Serve takes the forwarded calls in one goroutine,
// admits them in order (the first call naming a socket makes its
// endpoint) and runs each in a worker through the table in systab.go, so
// a call that blocks holds up no other.
//
// Handlers reach the caller only through Kernel, naming the request they
// serve (calls of several processes run at once): user memory is copied
// in and out with checks (EFAULT), accepted connections get descriptors
// from the kernel, and readiness and addresses are pushed to it.
//
// Sockets: AF_INET and AF_INET6 (TCP, UDP, ICMP echo) over netstack, and
// AF_NETLINK/NETLINK_ROUTE dumps of links, addresses and routes so that
// net.Interfaces and net.InterfaceAddrs work.
package sockets
