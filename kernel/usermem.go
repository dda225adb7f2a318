package kernel

import (
	"golang.org/x/sys/unix"

	"warren.dev/kernel/procabi"
	"warren.dev/mm/usercopy"
)

// User memory: the Go program's address space is the kernel's (one page
// table); a process's is reached through the window (window.go). There is
// one way to touch either: the copies below, built on mm/usercopy, which
// resolve each chunk of a range in its owner's address space just before
// copying it. Nothing else in the kernel views user memory: a view taken
// before a sleep could show another process, or an unmapped range, after
// it (usermem_test.go checks that no other file does).
//
// Resolving a range of the program means: it lies in the user mmap areas
// (faulted in, so the copy cannot fault) or in the loaded image with the
// right permission, never in kernel-private memory, and does not wrap.

// imageSegment is one loaded ELF segment of the image: the program's code
// and globals, which are user memory too.
type imageSegment struct {
	start, end     uint64
	writable, exec bool
}

var (
	imageSegs  [4]imageSegment
	nImageSegs int
)

// userSpace is process p's memory (0: the program) as usercopy sees it.
type userSpace int32

// Resolve implements usercopy.Space: it checks and backs [addr, addr+n)
// and views it; for another process, through the window, which then shows
// that process.
//
// Context: kernel (no allocation, no pointer stores).
func (s userSpace) Resolve(addr, n uint64, write bool) ([]byte, unix.Errno) {
	if e := checkUserIn(int32(s), addr, n, write); e != 0 {
		return nil, e
	}
	// Every copy resolves what it copies just before, so the bytes
	// resolved are the bytes copied (kstats.CopyInBytes, CopyOutBytes).
	if write {
		kstats.CopyOutBytes += n
	} else {
		kstats.CopyInBytes += n
	}
	return userBytesIn(int32(s), addr, int(n)), 0
}

// probeSpace is process p's memory for probeUser: it checks and backs a
// range without viewing it, and counts no copy.
type probeSpace int32

// Resolve implements usercopy.Space with an empty view.
//
// Context: kernel (no allocation, no pointer stores).
func (s probeSpace) Resolve(addr, n uint64, write bool) ([]byte, unix.Errno) {
	return nil, checkUserIn(int32(s), addr, n, write)
}

// caller is the calling thread's process's memory.
func caller() userSpace { return userSpace(curProc()) }

// checkUserIn validates [addr, addr+n) of process p (at most one
// usercopy.Chunk) and backs its pages; userBytesIn may then view it until
// the thread sleeps or another process is checked.
//
// Context: kernel (no allocation, no pointer stores).
func checkUserIn(p int32, addr, n uint64, write bool) unix.Errno {
	if n == 0 {
		return 0
	}
	if !inProgramMemory(p) {
		return checkProcessUser(p, addr, n, write)
	}
	end := addr + n
	if end < addr {
		return unix.EFAULT
	}
	for i := 0; i < nImageSegs; i++ {
		s := &imageSegs[i]
		if addr >= s.start && end <= s.end {
			if write && !s.writable {
				return unix.EFAULT
			}
			for va := max(addr, tailStart) &^ (pageSize - 1); va < end && va < tailEnd; va += pageSize {
				if !backTail(va) {
					return unix.ENOMEM
				}
			}
			return 0
		}
	}
	if inUserWindow(addr, end) {
		return 0
	}
	return userAS.Access(addr, n, write)
}

// copyIn copies len(dst) bytes from the caller's memory at addr; any
// byte that cannot be read fails the whole copy.
//
// Context: kernel (no allocation, no pointer stores).
func copyIn(dst []byte, addr uint64) unix.Errno {
	_, e := usercopy.In(caller(), dst, addr)
	return e
}

// copyOut copies src to the caller's memory at addr; any byte that
// cannot be written fails the whole copy (the bytes before it may have
// been written, as on Linux).
//
// Context: kernel (no allocation, no pointer stores).
func copyOut(addr uint64, src []byte) unix.Errno {
	_, e := usercopy.Out(caller(), addr, src)
	return e
}

// copyInString copies a NUL-terminated string from the caller's memory
// into buf and returns it without the NUL. It reads a page at a time, so
// a string that ends just before an unmapped page is read whole.
//
// Context: kernel (no allocation, no pointer stores).
func copyInString(buf []byte, addr uint64) ([]byte, unix.Errno) {
	for n := 0; n < len(buf); {
		a := addr + uint64(n)
		k := min(len(buf)-n, int(pageSize-a%pageSize))
		if e := copyIn(buf[n:n+k], a); e != 0 {
			return nil, e
		}
		for i, c := range buf[n : n+k] {
			if c == 0 {
				return buf[:n+i], 0
			}
		}
		n += k
	}
	return nil, unix.ENAMETOOLONG
}

// probeUser checks that the caller may read or write (write) [addr,
// addr+n), backing it, for calls that must fail before acting when a
// result pointer is bad. It is no licence to view the range later: copy
// through copyIn/copyOut when the time comes.
//
// Context: kernel (no allocation, no pointer stores).
func probeUser(addr, n uint64, write bool) unix.Errno {
	_, e := usercopy.Visit(probeSpace(curProc()), addr, n, write, func([]byte) bool { return true })
	return e
}

// transferred is what a read or write that moved done bytes before
// failing with e returns: the count if any bytes moved, else the error
// (Linux's rule for a fault part-way through a buffer).
func transferred(done uint64, e unix.Errno) (uint64, unix.Errno) {
	if done > 0 {
		return done, 0
	}
	return 0, e
}

// userRange rejects a buffer that cannot be user memory at all (wrapping,
// or beyond the largest user address) before a call acts on it, as
// Linux's access_ok does; the copies check the rest as they go.
func userRange(addr, n uint64) unix.Errno {
	if addr+n < addr || addr+n > callerTop() {
		return unix.EFAULT
	}
	return 0
}

// callerTop is the end of the calling thread's user memory: a process's
// stops at procabi.UserTop, the program's (and its vfork child's) reaches
// higher.
func callerTop() uint64 {
	if inProgramMemory(curProc()) {
		return userTop
	}
	return procabi.UserTop
}

// load64/store64/load32/store32 move one aligned word across the boundary.

func load32(addr uint64) (uint32, unix.Errno) {
	var b [4]byte
	if e := copyIn(b[:], addr); e != 0 {
		return 0, e
	}
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24, 0
}

func store32(addr uint64, v uint32) unix.Errno {
	b := [4]byte{byte(v), byte(v >> 8), byte(v >> 16), byte(v >> 24)}
	return copyOut(addr, b[:])
}

func load64(addr uint64) (uint64, unix.Errno) {
	var b [8]byte
	if e := copyIn(b[:], addr); e != 0 {
		return 0, e
	}
	return le64(b[:]), 0
}

func store64(addr uint64, v uint64) unix.Errno {
	var b [8]byte
	put64(b[:], v)
	return copyOut(addr, b[:])
}

// readTimespec reads a struct timespec and returns it in nanoseconds.
func readTimespec(addr uint64) (int64, unix.Errno) {
	var b [16]byte
	if e := copyIn(b[:], addr); e != 0 {
		return 0, e
	}
	sec, nsec := int64(le64(b[0:])), int64(le64(b[8:]))
	if sec < 0 || nsec < 0 || nsec >= 1e9 {
		return 0, unix.EINVAL
	}
	const maxSec = (1<<63-1)/1_000_000_000 - 1
	if sec > maxSec {
		sec = maxSec // saturate: far enough in the future to mean "never"
	}
	return sec*1e9 + nsec, 0
}

// writeTimespec stores nanoseconds as a struct timespec.
func writeTimespec(addr uint64, ns int64) unix.Errno {
	var b [16]byte
	put64(b[0:], uint64(ns/1e9))
	put64(b[8:], uint64(ns%1e9))
	return copyOut(addr, b[:])
}

func le64(b []byte) uint64 {
	_ = b[7]
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}

func put64(b []byte, v uint64) {
	_ = b[7]
	for i := 0; i < 8; i++ {
		b[i] = byte(v >> (8 * i))
	}
}
