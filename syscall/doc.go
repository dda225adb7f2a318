// Package syscall is Warren's socket layer: the Linux socket system calls
// of an unmodified Go program, served over gVisor's netstack.
//
// The kernel owns descriptors, epoll and files; it forwards the socket
// calls (kernel/sockabi) to this layer, which runs as goroutines of the
// same program. Serve takes the forwarded calls, runs each in its own
// goroutine through the declarative table in systab.go, and replies.
// Handlers reach the caller only through Kernel: user memory is copied in
// and out with checks (EFAULT), descriptors are installed by the kernel,
// and readiness is reported to the kernel's epoll with Kernel.Ready.
//
// Sockets: AF_INET and AF_INET6 (TCP, UDP, ICMP echo) over netstack, and
// AF_NETLINK/NETLINK_ROUTE dumps of links, addresses and routes so that
// net.Interfaces and net.InterfaceAddrs work.
package syscall
