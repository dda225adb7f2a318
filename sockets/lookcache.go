package sockets

import (
	"sync/atomic"

	"golang.org/x/sys/unix"

	"warren.dev/kernel/files"
	"warren.dev/kernel/sockabi"
)

// lookCache keeps the kernel's answers about the program's descriptors
// while its descriptor table's generation holds them true, so the calls
// of a connection the program serves itself (Direct) make no trap after
// the first: the lookup was one trap in each read and write.
//
// The kernel moves the generation at every change of a descriptor or of
// a description's status flags (kernel/files.Table), and each answer
// carries the generation it was true at. A descriptor closed or replaced
// by another thread while a call is under way is the same race as it is
// between a lookup's trap and the call it serves.
type lookCache struct {
	Program // the kernel, for what is not remembered
	entries [cachedFDs]atomic.Pointer[lookEntry]
}

// cachedFDs are the descriptors remembered: the kernel's table size.
const cachedFDs = files.MaxFDs

type lookEntry struct {
	info sockabi.SockInfo
	e    unix.Errno
}

func newLookCache(p Program) *lookCache { return &lookCache{Program: p} }

// Lookup implements Looker: the remembered answer if the table has not
// changed since, else the kernel's. Answers that a descriptor is not
// open or not a socket are remembered too: the program's reads of other
// files ask as well.
func (c *lookCache) Lookup(fd int) (sockabi.SockInfo, unix.Errno) {
	if fd < 0 || fd >= cachedFDs {
		return c.Program.Lookup(fd)
	}
	if ent := c.entries[fd].Load(); ent != nil && ent.info.Gen == c.Program.LookupGen() {
		return ent.info, ent.e
	}
	info, e := c.Program.Lookup(fd)
	if e == 0 || e == unix.EBADF || e == unix.ENOTSOCK {
		c.entries[fd].Store(&lookEntry{info, e})
	}
	return info, e
}
