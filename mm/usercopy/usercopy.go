// Package usercopy moves bytes across the user/kernel boundary in
// bounded chunks, each resolved in the owner's address space at the
// moment it is copied.
//
// Why it exists: a system call that checks a user range, sleeps and then
// copies reaches whatever the range means after the sleep — another
// process's memory when the kernel's window shows another process, or
// nothing when a sibling thread unmapped it. Resolving each chunk just
// before touching it, with no sleep in between, makes a copy either land
// in the caller's own memory or fail with EFAULT. Chunking also bounds the
// memory one check backs: a 1 GiB read is backed a chunk at a time as it
// is filled, never all at once before the first byte moves.
//
// Every function runs in kernel context (no allocation, no pointer
// stores): the callbacks are not retained, so their closures stay on the
// caller's stack.
package usercopy

import "golang.org/x/sys/unix"

// Chunk is the most one resolution covers. Chunks are aligned to it, so
// a copy touches the pages of at most one Chunk between resolutions.
const Chunk = 64 << 10

// maxLen bounds one request: lengths come from user registers and must
// not wrap.
const maxLen = 1 << 62

// Space is one address space as the kernel reaches it: the one contract
// for user memory. Whatever copies to or from a user in kernel context
// takes a Space (generic over it) and copies with In, Out or Between, so
// that its own buffers are never handed to a callee it cannot see, which
// would make them escape to the heap: the kernel's calling thread
// (kernel/usermem.go), the signal frames (kernel/signal), the descriptor
// layer (kernel/files) and their host tests' fakes.
//
// One set of copies stays apart: the socket layer (sockets.Kernel's
// CopyIn and CopyOut) runs in the program, not in a trap, and reaches the
// caller of a forwarded call through the SysCopyIn and SysCopyOut system
// calls, which name the request: the kernel copies only for a request
// it is serving, between the memory of the process that made it and the
// program's. It gets no view, only whole copies, and each names its
// request id; the kernel serves them with Between over the two Spaces.
type Space interface {
	// Resolve checks [addr, addr+n) for a read or write (write) by the
	// owner, backs its pages, and returns a view of it. The view is
	// valid until the caller sleeps or resolves a range of another
	// space that is not the kernel's own. n is at most Chunk.
	Resolve(addr, n uint64, write bool) ([]byte, unix.Errno)
}

// Visit hands successive views of [addr, addr+n) of s to fn, each at
// most Chunk long and resolved just before fn runs. fn must not sleep.
// Visit stops early when fn returns false or a chunk cannot be resolved,
// and returns how many bytes fn was given and the errno of the chunk that
// failed (0 if none did).
//
// Context: kernel (no allocation, no pointer stores).
func Visit[S Space](s S, addr, n uint64, write bool, fn func(b []byte) bool) (uint64, unix.Errno) {
	if n > maxLen || addr+n < addr {
		return 0, unix.EFAULT
	}
	done := uint64(0)
	for done < n {
		a := addr + done
		k := min(n-done, Chunk-a%Chunk)
		b, e := s.Resolve(a, k, write)
		if e != 0 {
			return done, e
		}
		done += k
		if !fn(b) {
			break
		}
	}
	return done, 0
}

// Out copies src to addr in s. It returns the bytes copied; fewer than
// len(src) comes with the errno of the range that failed.
//
// Context: kernel (no allocation, no pointer stores).
func Out[S Space](s S, addr uint64, src []byte) (int, unix.Errno) {
	off := 0
	n, e := Visit(s, addr, uint64(len(src)), true, func(b []byte) bool {
		off += copy(b, src[off:])
		return true
	})
	return int(n), e
}

// In copies from addr in s to dst. It returns the bytes copied; fewer
// than len(dst) comes with the errno of the range that failed.
//
// Context: kernel (no allocation, no pointer stores).
func In[S Space](s S, dst []byte, addr uint64) (int, unix.Errno) {
	off := 0
	n, e := Visit(s, addr, uint64(len(dst)), false, func(b []byte) bool {
		off += copy(dst[off:], b)
		return true
	})
	return int(n), e
}

// Between copies n bytes from saddr in src to daddr in dst, a piece at a
// time: each piece is resolved in src, then in dst, then copied. At most
// one of the two may be a space reached through a shared window, since
// resolving one must not hide the other.
//
// Context: kernel (no allocation, no pointer stores).
func Between[D, S Space](dst D, daddr uint64, src S, saddr uint64, n uint64) (uint64, unix.Errno) {
	if n > maxLen || daddr+n < daddr || saddr+n < saddr {
		return 0, unix.EFAULT
	}
	done := uint64(0)
	for done < n {
		sa, da := saddr+done, daddr+done
		k := min(n-done, Chunk-sa%Chunk, Chunk-da%Chunk)
		from, e := src.Resolve(sa, k, false)
		if e != 0 {
			return done, e
		}
		to, e := dst.Resolve(da, k, true)
		if e != 0 {
			return done, e
		}
		copy(to, from)
		done += k
	}
	return done, 0
}
