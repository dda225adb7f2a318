package sockets

import "unsafe"

// Escape analysis moves to the heap whatever is handed to an interface's
// method, since it cannot see the method. A Kernel's copies take the
// handlers' small buffers (a length, an option's value) and keep nothing,
// so hiding those keeps them on the handler's stack. A hidden pointer
// must not reach any heap object, even one dropped at once: the stack it
// points into moves when it grows, and a stale pointer left in memory the
// collector still scans is fatal. (Netstack's Read and Write wrap the
// reader or writer they are given in heap objects: theirs are not hidden.)

// hideBytes returns b, hidden from escape analysis.
func hideBytes(b []byte) []byte {
	return unsafe.Slice(hidePtr(unsafe.SliceData(b)), len(b))
}
