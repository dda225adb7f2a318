package files

import (
	"golang.org/x/sys/unix"

	"warren.dev/mm/usercopy"
)

// Served files: read-only files whose contents the program's side of the
// kernel sets (the socket layer knows the network configuration:
// /etc/resolv.conf, /etc/hosts, ...), found by absolute path ahead of
// the initrd.

// The served files of /etc: the kernel's identity files and those the
// socket layer publishes. EtcServed lists them, so that a tree can show
// them in a listing of /etc (tools/build gives each an empty entry in the
// initrd, which the served contents shadow).
const (
	EtcGroup    = "/etc/group"
	EtcHosts    = "/etc/hosts"
	EtcNSSwitch = "/etc/nsswitch.conf"
	EtcPasswd   = "/etc/passwd"
	EtcResolv   = "/etc/resolv.conf"
	EtcServices = "/etc/services"
)

// EtcServed is every served file of /etc.
var EtcServed = [...]string{EtcGroup, EtcHosts, EtcNSSwitch, EtcPasswd, EtcResolv, EtcServices}

const (
	MaxServed     = 16
	ServedPathMax = 64
	ServedDataMax = 16 << 10
)

// Served is the table of served files; a slot with an empty path is free.
type Served [MaxServed]servedFile

type servedFile struct {
	path    [ServedPathMax]byte
	pathLen int
	data    [ServedDataMax]byte
	n       int
}

// SetServed sets, or replaces, the file whose path is the plen bytes at
// path in s, to the dlen bytes at data.
//
// Context: kernel (no allocation, no pointer stores).
func SetServed[S usercopy.Space](s S, t *Served, path, plen, data, dlen uint64) unix.Errno {
	if plen == 0 || plen > ServedPathMax || dlen > ServedDataMax {
		return unix.EINVAL
	}
	var p [ServedPathMax]byte
	if _, e := usercopy.In(s, p[:plen], path); e != 0 {
		return e
	}
	if p[0] != '/' {
		return unix.EINVAL
	}
	slot := -1
	for i := range t {
		f := &t[i]
		if f.pathLen == int(plen) && string(f.path[:plen]) == string(p[:plen]) {
			slot = i
			break
		}
		if f.pathLen == 0 && slot < 0 {
			slot = i
		}
	}
	if slot < 0 {
		return unix.ENOSPC
	}
	f := &t[slot]
	if _, e := usercopy.In(s, f.data[:dlen], data); e != 0 {
		return e
	}
	f.path, f.pathLen, f.n = p, int(plen), int(dlen)
	return 0
}

// Put serves data at path in slot i, for files the kernel serves from
// boot; it truncates what does not fit.
func (t *Served) Put(i int, path, data string) {
	f := &t[i]
	f.pathLen = copy(f.path[:], path)
	f.n = copy(f.data[:], data)
}

// Lookup finds a served file by absolute path.
//
// Context: kernel (no allocation, no pointer stores).
func (t *Served) Lookup(abs []byte) (int, bool) {
	for i := range t {
		f := &t[i]
		if f.pathLen > 0 && string(f.path[:f.pathLen]) == string(abs) {
			return i, true
		}
	}
	return 0, false
}

// Data is served file i's contents.
func (t *Served) Data(i int) []byte { return t[i].data[:t[i].n] }
