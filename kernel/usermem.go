package kernel

import "golang.org/x/sys/unix"

// User memory: the Go program's address space is the kernel's (one page
// table), so a checked range can be copied directly. Every pointer that
// arrives in a system call goes through checkUser first: a range must lie
// in the user mmap areas (faulted in here, so the copy cannot fault) or in
// the loaded image with the right permission, never in kernel-private
// memory, and must not wrap.

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

// maxUserCopy caps one copy; larger requests are split by the callers.
const maxUserCopy = 1 << 30

// checkUser validates [addr, addr+n) of the calling thread's process for
// a read (write=false) or write.
//
// Context: kernel (no allocation, no pointer stores).
func checkUser(addr, n uint64, write bool) unix.Errno { return checkUserIn(curProc(), addr, n, write) }

// checkUserIn validates [addr, addr+n) of process p; userBytesIn may then
// view it until the next check of another process.
//
// Context: kernel (no allocation, no pointer stores).
func checkUserIn(p int32, addr, n uint64, write bool) unix.Errno {
	if n == 0 {
		return 0
	}
	if p != 0 {
		return checkProcessUser(p, addr, n, write)
	}
	end := addr + n
	if n > maxUserCopy || end < addr {
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

// userMemory is the checked copy interface handed to packages that move
// structures across the boundary (signal frames).
type userMemory struct{}

// CopyIn copies len(b) bytes from user address addr.
//
// Context: kernel (no allocation, no pointer stores).
func (userMemory) CopyIn(addr uint64, b []byte) error {
	if copyIn(b, addr) != 0 {
		return errFault
	}
	return nil
}

// CopyOut copies b to user address addr.
//
// Context: kernel (no allocation, no pointer stores).
func (userMemory) CopyOut(addr uint64, b []byte) error {
	if copyOut(addr, b) != 0 {
		return errFault
	}
	return nil
}

// copyIn copies from user memory after checking the range.
//
// Context: kernel (no allocation, no pointer stores).
func copyIn(dst []byte, addr uint64) unix.Errno {
	if e := checkUser(addr, uint64(len(dst)), false); e != 0 {
		return e
	}
	copy(dst, userBytes(addr, len(dst)))
	return 0
}

// copyOut copies to user memory after checking the range.
//
// Context: kernel (no allocation, no pointer stores).
func copyOut(addr uint64, src []byte) unix.Errno {
	if e := checkUser(addr, uint64(len(src)), true); e != 0 {
		return e
	}
	copy(userBytes(addr, len(src)), src)
	return 0
}

// load64/store64/load32/store32 move one aligned word across the boundary.

func load32(addr uint64) (uint32, unix.Errno) {
	if e := checkUser(addr, 4, false); e != 0 {
		return 0, e
	}
	return *userUint32(addr), 0
}

func store32(addr uint64, v uint32) unix.Errno {
	if e := checkUser(addr, 4, true); e != 0 {
		return e
	}
	*userUint32(addr) = v
	return 0
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
