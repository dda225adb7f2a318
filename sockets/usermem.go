package sockets

import (
	"encoding/binary"
	"math"
	"sync"

	"golang.org/x/sys/unix"
)

// Limits on what one call moves through the layer.
const (
	// maxIO is the most bytes one read or write moves; stream sockets
	// return a short count beyond it, and no datagram is larger.
	maxIO = 64 << 10
	// smallIO and below is allocated per call rather than pooled.
	smallIO = 2 << 10
	// maxIovecs is Linux's UIO_MAXIOV.
	maxIovecs = 1024
	// maxOptLen caps a socket option's value.
	maxOptLen = 1024
	// sizeofIovec and sizeofMsghdr are the x86-64 struct sizes.
	sizeofIovec   = 16
	sizeofMsghdr  = 56
	sizeofMmsghdr = 64
)

// iovec is one struct iovec of the caller.
type iovec struct{ base, len uint64 }

// readIovecs copies in cnt iovecs at addr: EINVAL for more than
// UIO_MAXIOV or a total that does not fit ssize_t.
func readIovecs(c caller, addr, cnt uint64) ([]iovec, unix.Errno) {
	if cnt > maxIovecs {
		return nil, unix.EINVAL
	}
	b := make([]byte, cnt*sizeofIovec)
	if e := c.CopyIn(addr, b); e != 0 {
		return nil, e
	}
	iov := make([]iovec, cnt)
	var total uint64
	for i := range iov {
		iov[i] = iovec{binary.LittleEndian.Uint64(b[i*16:]), binary.LittleEndian.Uint64(b[i*16+8:])}
		if iov[i].len > math.MaxInt64-total {
			return nil, unix.EINVAL
		}
		total += iov[i].len
	}
	return iov, 0
}

// ioSize is how many bytes a call on iov moves: the total, capped.
func ioSize(iov []iovec) int {
	var n uint64
	for _, v := range iov {
		n += v.len
		if n >= maxIO {
			return maxIO
		}
	}
	return int(n)
}

// gather copies the first len(b) bytes the iovecs describe into b.
func gather(c caller, iov []iovec, b []byte) unix.Errno {
	for _, v := range iov {
		if len(b) == 0 {
			break
		}
		n := min(uint64(len(b)), v.len)
		if e := c.CopyIn(v.base, b[:n]); e != 0 {
			return e
		}
		b = b[n:]
	}
	return 0
}

// scatter copies b out over the iovecs.
func scatter(c caller, iov []iovec, b []byte) unix.Errno {
	for _, v := range iov {
		if len(b) == 0 {
			break
		}
		n := min(uint64(len(b)), v.len)
		if e := c.CopyOut(v.base, b[:n]); e != 0 {
			return e
		}
		b = b[n:]
	}
	return 0
}

// msghdr is the caller's struct msghdr.
type msghdr struct {
	name       uint64
	namelen    uint32
	iov        uint64
	iovlen     uint64
	control    uint64
	controllen uint64
	flags      int32
}

func readMsghdr(c caller, addr uint64) (msghdr, unix.Errno) {
	var b [sizeofMsghdr]byte
	if e := c.CopyIn(addr, b[:]); e != 0 {
		return msghdr{}, e
	}
	le := binary.LittleEndian
	return msghdr{
		name:       le.Uint64(b[0:]),
		namelen:    le.Uint32(b[8:]),
		iov:        le.Uint64(b[16:]),
		iovlen:     le.Uint64(b[24:]),
		control:    le.Uint64(b[32:]),
		controllen: le.Uint64(b[40:]),
		flags:      int32(le.Uint32(b[48:])),
	}, 0
}

// Offsets of the msghdr fields recvmsg writes back.
const (
	msgNamelenOff    = 8
	msgControllenOff = 40
	msgFlagsOff      = 48
)

// putU32 and putU64 store one value in the caller's memory.
func putU32(c caller, addr uint64, v uint32) unix.Errno {
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], v)
	return c.CopyOut(addr, b[:])
}

func putU64(c caller, addr uint64, v uint64) unix.Errno {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], v)
	return c.CopyOut(addr, b[:])
}

func getU32(c caller, addr uint64) (uint32, unix.Errno) {
	var b [4]byte
	e := c.CopyIn(addr, b[:])
	return binary.LittleEndian.Uint32(b[:]), e
}

// staging is a buffer between the caller's memory and netstack, pooled
// when large; no reference to it outlives the call.
type staging struct {
	p *[]byte
	b []byte
}

var stagingPool = sync.Pool{New: func() any { b := make([]byte, maxIO); return &b }}

func stage(n int) staging {
	if n <= smallIO {
		return staging{b: make([]byte, n)}
	}
	p := stagingPool.Get().(*[]byte)
	return staging{p: p, b: (*p)[:n]}
}

func (s staging) free() {
	if s.p != nil {
		stagingPool.Put(s.p)
	}
}
