package files

import (
	"encoding/binary"

	"golang.org/x/sys/unix"

	"warren.dev/mm/usercopy"
)

// PollFDSize is sizeof(struct pollfd).
const PollFDSize = 8

// Poll is poll(2) over n struct pollfd at fds, whose descriptors t
// names: it waits until one is ready or the deadline (monotonic ns; -1
// for none) passes, and returns how many are. The caller has checked the
// array's range.
//
// Context: kernel (no allocation, no pointer stores).
func Poll[E Env, R Readiness](env E, r R, t *Table, fds, n uint64, deadline int64) (uint64, unix.Errno) {
	for {
		// Each entry is read and its revents written as it is after the
		// last wait: the array may have been unmapped meanwhile.
		ready := uint64(0)
		for i := uint64(0); i < n; i++ {
			var p [PollFDSize]byte
			if _, e := usercopy.In(env, p[:], fds+PollFDSize*i); e != 0 {
				return 0, e
			}
			fd := int32(binary.LittleEndian.Uint32(p[:]))
			want := uint32(binary.LittleEndian.Uint16(p[4:]))
			var got uint32
			if fd >= 0 {
				if f, e := t.File(uint64(fd)); e != 0 {
					got = unix.POLLNVAL
				} else {
					ev, _ := r.Ready(f)
					got = ev & (want | unix.POLLERR | unix.POLLHUP)
				}
			}
			binary.LittleEndian.PutUint16(p[6:], uint16(got))
			if _, e := usercopy.Out(env, fds+PollFDSize*i+6, p[6:]); e != 0 {
				return 0, e
			}
			if got != 0 {
				ready++
			}
		}
		if ready > 0 || deadline >= 0 && env.Now() >= deadline {
			return ready, 0
		}
		if env.Wait(max(deadline, 0)) == unix.EINTR {
			return 0, unix.EINTR
		}
	}
}
