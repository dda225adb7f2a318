package kernel

import (
	"golang.org/x/sys/unix"

	"warren.dev/kernel/cpu"
)

// Files the standard library reads whose contents come from the program's
// side of the kernel (the socket layer knows the network configuration):
// /etc/resolv.conf, /etc/hosts, /etc/nsswitch.conf, /etc/services,
// /proc/sys/net/core/somaxconn. They are set with SysSetFile and served
// read-only, ahead of the initrd, beside the kernel's own /etc/passwd and
// /etc/group.

const (
	maxEtcFiles   = 16
	etcPathMax    = 64
	etcContentMax = 16 << 10
)

type etcFile struct {
	path    [etcPathMax]byte
	pathLen int
	data    [etcContentMax]byte
	n       int
}

var etcFiles [maxEtcFiles]etcFile

// sysSetFile sets (or replaces) a served file.
//
// Context: kernel (no allocation, no pointer stores).
func sysSetFile(f *cpu.TrapFrame) (uint64, unix.Errno) {
	path, plen, data, dlen := f.RDI, f.RSI, f.RDX, f.R10
	if plen == 0 || plen > etcPathMax || dlen > etcContentMax {
		return 0, unix.EINVAL
	}
	var p [etcPathMax]byte
	if e := copyIn(p[:plen], path); e != 0 {
		return 0, e
	}
	if p[0] != '/' {
		return 0, unix.EINVAL
	}
	slot := -1
	for i := range etcFiles {
		e := &etcFiles[i]
		if e.pathLen == int(plen) && string(e.path[:plen]) == string(p[:plen]) {
			slot = i
			break
		}
		if e.pathLen == 0 && slot < 0 {
			slot = i
		}
	}
	if slot < 0 {
		return 0, unix.ENOSPC
	}
	e := &etcFiles[slot]
	if c := copyIn(e.data[:dlen], data); c != 0 {
		return 0, c
	}
	e.path, e.pathLen, e.n = p, int(plen), int(dlen)
	return 0, 0
}

// lookupEtc finds a served file by absolute path.
func lookupEtc(abs []byte) (int, bool) {
	for i := range etcFiles {
		e := &etcFiles[i]
		if e.pathLen > 0 && string(e.path[:e.pathLen]) == string(abs) {
			return i, true
		}
	}
	return 0, false
}

// identityFiles name the one user, root (getuid and getgid are 0), for
// os/user and programs that look themselves up. Root's home is /tmp, the
// tree's one writable directory, where warren test points $HOME too.
var identityFiles = [...]struct{ path, data string }{
	{"/etc/passwd", "root:x:0:0:root:/tmp:/bin/sh\n"},
	{"/etc/group", "root:x:0:\n"},
}

// serveIdentityFiles fills the first slots at boot, before the program can
// set any file.
func serveIdentityFiles() {
	for i, f := range identityFiles {
		e := &etcFiles[i]
		e.pathLen = copy(e.path[:], f.path)
		e.n = copy(e.data[:], f.data)
	}
}
