// Package files is the kernel's descriptor layer as plain Go: descriptor
// tables (Table: the lowest free number, dup, close-on-exec, fork's
// copy), pipes, eventfds, epoll interest lists, poll(2) and the served
// files (/etc/resolv.conf and kin), and the rules that decide what a
// read, write or wait on them does; and the file tree as paths see it
// (Tree: devices, served files, the tmpfs at /tmp, the read-only initrd),
// what open(2) may do in it, and the working directory (Cwd). It knows nothing of the machine: the
// kernel reaches it through small interfaces (Env: the caller's memory,
// sleeping and waking; Descriptions: reference counts of open file
// descriptions; Readiness: their events), so every rule is tested on the
// host with fakes.
//
// Everything here may run in kernel context (docs/kernel-context.md):
// state is integers and fixed arrays the kernel keeps in its own tables,
// and functions taking an interface are generic over it so that a call
// through it neither allocates nor lets its arguments escape.
package files

import (
	"golang.org/x/sys/unix"

	"warren.dev/mm/usercopy"
)

// Env is what the layer needs of the kernel for one calling thread.
type Env interface {
	// The caller's memory.
	usercopy.Space
	// Wait sleeps until Notify, the deadline (monotonic ns, 0 for none)
	// or a signal: 0, ETIMEDOUT or EINTR.
	Wait(deadline int64) unix.Errno
	// Now is the monotonic clock in ns.
	Now() int64
	// Notify wakes every thread in Wait: readiness may have changed.
	Notify()
}
