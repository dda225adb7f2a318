package sockets

import (
	"encoding/binary"

	"golang.org/x/sys/unix"

	"warren.dev/kernel/sockabi"
)

// Control messages of unix sockets. SCM_RIGHTS descriptors travel as
// in-flight slots of the kernel (sockabi.SysRightsGet): a reference on
// each open file from the sendmsg until a recvmsg installs it in the
// receiver's table, or the message is dropped (the receiver asked for no
// control data, or the socket closed) and the reference with it.
// SCM_CREDENTIALS is accepted in a sendmsg (its values are not checked:
// every caller is root) and written to a recvmsg on a socket with
// SO_PASSCRED: the sending process's id, uid and gid 0. Files in flight are not
// garbage-collected: a socket sent into its own queue and closed stays
// open (bounded by sockabi.MaxInFlight).

const (
	sizeofCmsghdr = 16    // struct cmsghdr
	scmMaxFD      = 253   // SCM_MAX_FD: descriptors in one message
	maxControl    = 20480 // optmem_max: the most control data a sendmsg takes
)

func cmsgAlign(n int) int { return (n + 7) &^ 7 }

// readRights reads a sendmsg's control messages on a unix socket and
// takes a reference on each descriptor SCM_RIGHTS names.
func readRights(c caller, m msghdr) ([]int32, unix.Errno) {
	if m.control == 0 || m.controllen == 0 {
		return nil, 0
	}
	if m.controllen > maxControl {
		return nil, unix.ENOBUFS
	}
	b := make([]byte, m.controllen)
	if e := c.CopyIn(m.control, b); e != 0 {
		return nil, e
	}
	le := binary.LittleEndian
	var fds []int32
	for off := 0; off+sizeofCmsghdr <= len(b); {
		n := le.Uint64(b[off:])
		if n < sizeofCmsghdr || n > uint64(len(b)-off) {
			return nil, unix.EINVAL
		}
		level, typ := int32(le.Uint32(b[off+8:])), int32(le.Uint32(b[off+12:]))
		data := b[off+sizeofCmsghdr : off+int(n)]
		switch {
		case level != unix.SOL_SOCKET:
			// Other levels mean nothing to a unix socket; Linux skips them.
		case typ == unix.SCM_RIGHTS:
			for i := 0; i+4 <= len(data); i += 4 {
				fds = append(fds, int32(le.Uint32(data[i:])))
			}
		case typ == unix.SCM_CREDENTIALS && len(data) >= unix.SizeofUcred:
		default:
			return nil, unix.EINVAL
		}
		off += cmsgAlign(int(n))
	}
	if len(fds) > scmMaxFD {
		return nil, unix.EINVAL
	}
	slots := make([]int32, 0, len(fds))
	for _, fd := range fds {
		slot, e := c.RightsGet(fd)
		if e != 0 {
			putRights(c.k, slots)
			return nil, e
		}
		slots = append(slots, slot)
	}
	return slots, 0
}

// writeControl writes a recvmsg's control messages to the caller's
// buffer: SCM_CREDENTIALS when the socket has SO_PASSCRED, then the
// received descriptors, installed in the caller, as one SCM_RIGHTS
// message. What finds no room, and descriptors the caller's table has no
// room for, are left out with MSG_CTRUNC; left-out descriptors are closed
// unless they were only peeked at. It returns the control bytes used.
func writeControl(c caller, m msghdr, res recvResult, cloexec bool) (uint64, int, unix.Errno) {
	room := 0
	if m.control != 0 {
		room = int(min(m.controllen, maxControl))
	}
	le := binary.LittleEndian
	var (
		b        []byte
		msgFlags int
	)
	if res.cred {
		if room < sizeofCmsghdr+unix.SizeofUcred {
			msgFlags |= unix.MSG_CTRUNC
		} else {
			b = cmsgHeader(b, unix.SCM_CREDENTIALS, unix.SizeofUcred)
			b = le.AppendUint32(b, uint32(res.pid))
			b = le.AppendUint32(b, 0) // uid and gid: root
			b = le.AppendUint32(b, 0)
		}
	}
	if len(res.rights) > 0 {
		start := cmsgAlign(len(b))
		fit := max(room-start-sizeofCmsghdr, 0) / 4
		var flags uint32
		if cloexec {
			flags |= unix.O_CLOEXEC
		}
		if res.peeked {
			flags |= sockabi.RightsKeep
		}
		fds := make([]int32, 0, min(fit, len(res.rights)))
		taken := 0 // slots installed or given up by a failed install
		for _, slot := range res.rights[:min(fit, len(res.rights))] {
			fd, e := c.RightsInstall(slot, flags)
			taken++
			if e != 0 {
				break
			}
			fds = append(fds, int32(fd))
		}
		if !res.peeked {
			putRights(c.k, res.rights[taken:])
		}
		if len(fds) < len(res.rights) {
			msgFlags |= unix.MSG_CTRUNC
		}
		if len(fds) > 0 {
			b = cmsgHeader(append(b, make([]byte, start-len(b))...), unix.SCM_RIGHTS, 4*len(fds))
			for _, fd := range fds {
				b = le.AppendUint32(b, uint32(fd))
			}
		}
	}
	if len(b) == 0 {
		return 0, msgFlags, 0
	}
	if e := c.CopyOut(m.control, b); e != 0 {
		return 0, 0, e
	}
	return min(uint64(cmsgAlign(len(b))), m.controllen), msgFlags, 0
}

// cmsgHeader appends a struct cmsghdr of SOL_SOCKET for n bytes of data.
func cmsgHeader(b []byte, typ, n int) []byte {
	le := binary.LittleEndian
	b = le.AppendUint64(b, uint64(sizeofCmsghdr+n))
	b = le.AppendUint32(b, unix.SOL_SOCKET)
	return le.AppendUint32(b, uint32(typ))
}

// putRights drops descriptors in flight.
func putRights(k Kernel, slots []int32) {
	for _, s := range slots {
		k.RightsPut(s)
	}
}
