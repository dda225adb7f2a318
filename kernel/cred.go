package kernel

import (
	"encoding/binary"

	"golang.org/x/sys/unix"

	"warren.dev/kernel/cpu"
)

// Credentials, per process as Go and libc keep them (Linux keeps them
// per thread, and both change every thread's together): real, effective
// and saved user and group IDs and the supplementary groups. Every
// process starts as root and inherits its parent's across clone; execve
// copies the effective IDs to the saved ones (no set-user-ID files).
// Privilege is Linux's CAP_SETUID and CAP_SETGID, which a process has
// while its effective user ID is 0. The IDs are reported and checked by
// these calls and by kill; file access is still checked as root's.

// ngroupsMax is how many supplementary groups a process holds: setgroups
// with more is EINVAL (Linux's NGROUPS_MAX is 65536).
const ngroupsMax = 64

// noID is -1 as a uid_t or gid_t: "leave unchanged" to setre*id and
// setres*id, invalid to setuid and setgid.
const noID = ^uint32(0)

// ids are a real, effective and saved ID, all user or all group.
type ids struct{ real, eff, saved uint32 }

type creds struct {
	uid, gid ids
	ngroups  int
	groups   [ngroupsMax]uint32
}

var procCreds [maxProcs]creds

// privileged reports whether c may set IDs at will (CAP_SETUID,
// CAP_SETGID).
func (c *creds) privileged() bool { return c.uid.eff == 0 }

// holds reports whether id is one of x's IDs, which an unprivileged
// caller may switch among.
func (x *ids) holds(id uint32) bool { return id == x.real || id == x.eff || id == x.saved }

// set is setuid or setgid on x: all three IDs if privileged, else the
// effective one to the real or saved ID.
func (x *ids) set(id uint32, privileged bool) unix.Errno {
	switch {
	case id == noID:
		return unix.EINVAL
	case privileged:
		*x = ids{id, id, id}
	case id == x.real || id == x.saved:
		x.eff = id
	default:
		return unix.EPERM
	}
	return 0
}

// setRE is setreuid or setregid on x: the real ID to the real or
// effective one, the effective ID to any of the three, unless
// privileged; the saved ID follows the effective one when the real ID
// is set or the effective one leaves the real one.
func (x *ids) setRE(r, e uint32, privileged bool) unix.Errno {
	next := *x
	if r != noID {
		if !privileged && r != x.real && r != x.eff {
			return unix.EPERM
		}
		next.real = r
	}
	if e != noID {
		if !privileged && !x.holds(e) {
			return unix.EPERM
		}
		next.eff = e
	}
	if r != noID || e != noID && e != x.real {
		next.saved = next.eff
	}
	*x = next
	return 0
}

// setRES is setresuid or setresgid on x: each ID given to any of the
// current three, unless privileged.
func (x *ids) setRES(r, e, s uint32, privileged bool) unix.Errno {
	for _, id := range [...]uint32{r, e, s} {
		if id != noID && !privileged && !x.holds(id) {
			return unix.EPERM
		}
	}
	*x = ids{given(r, x.real), given(e, x.eff), given(s, x.saved)}
	return 0
}

// given is id, or old if id is noID.
func given(id, old uint32) uint32 {
	if id == noID {
		return old
	}
	return id
}

// setGroups replaces the supplementary groups with list, kept sorted as
// Linux keeps them (getgroups returns them so).
func (c *creds) setGroups(list []uint32) unix.Errno {
	switch {
	case !c.privileged():
		return unix.EPERM
	case len(list) > ngroupsMax:
		return unix.EINVAL
	}
	c.ngroups = copy(c.groups[:], list)
	g := c.groups[:c.ngroups]
	for i := 1; i < len(g); i++ {
		for j := i; j > 0 && g[j] < g[j-1]; j-- {
			g[j], g[j-1] = g[j-1], g[j]
		}
	}
	return 0
}

// mayKill reports whether a process with credentials c may signal one
// with credentials target, as Linux's kill_ok_by_cred: privileged, or
// its real or effective user ID is the target's real or saved one.
func (c *creds) mayKill(target *creds) bool {
	return c.privileged() || c.uid.real == target.uid.real || c.uid.real == target.uid.saved ||
		c.uid.eff == target.uid.real || c.uid.eff == target.uid.saved
}

// mayPrlimit reports whether a process with credentials c may read or
// set the limits of one with credentials target, as Linux's
// check_prlimit_permission: privileged (CAP_SYS_RESOURCE), or its real
// user and group IDs are each of the target's.
func (c *creds) mayPrlimit(target *creds) bool {
	u, g := c.uid.real, c.gid.real
	return c.privileged() || target.uid == ids{u, u, u} && target.gid == ids{g, g, g}
}

// maySignal reports whether the caller may send sig to process p, else
// kill and tgkill fail with EPERM. SIGCONT is Linux's exception for a
// process of the caller's session: sessions are not kept, so every
// process is in one.
func maySignal(p int32, sig int) bool {
	return sig == int(unix.SIGCONT) || curCreds().mayKill(&procCreds[p])
}

// execCreds is what execve does to process p's credentials.
func execCreds(p int32) {
	c := &procCreds[p]
	c.uid.saved, c.gid.saved = c.uid.eff, c.gid.eff
}

// curCreds are the caller's credentials.
func curCreds() *creds { return &procCreds[curProc()] }

func sysGetuid(*cpu.TrapFrame) (uint64, unix.Errno)  { return uint64(curCreds().uid.real), 0 }
func sysGeteuid(*cpu.TrapFrame) (uint64, unix.Errno) { return uint64(curCreds().uid.eff), 0 }
func sysGetgid(*cpu.TrapFrame) (uint64, unix.Errno)  { return uint64(curCreds().gid.real), 0 }
func sysGetegid(*cpu.TrapFrame) (uint64, unix.Errno) { return uint64(curCreds().gid.eff), 0 }

func sysSetuid(f *cpu.TrapFrame) (uint64, unix.Errno) {
	c := curCreds()
	return 0, c.uid.set(uint32(f.RDI), c.privileged())
}

func sysSetgid(f *cpu.TrapFrame) (uint64, unix.Errno) {
	c := curCreds()
	return 0, c.gid.set(uint32(f.RDI), c.privileged())
}

func sysSetreuid(f *cpu.TrapFrame) (uint64, unix.Errno) {
	c := curCreds()
	return 0, c.uid.setRE(uint32(f.RDI), uint32(f.RSI), c.privileged())
}

func sysSetregid(f *cpu.TrapFrame) (uint64, unix.Errno) {
	c := curCreds()
	return 0, c.gid.setRE(uint32(f.RDI), uint32(f.RSI), c.privileged())
}

func sysSetresuid(f *cpu.TrapFrame) (uint64, unix.Errno) {
	c := curCreds()
	return 0, c.uid.setRES(uint32(f.RDI), uint32(f.RSI), uint32(f.RDX), c.privileged())
}

func sysSetresgid(f *cpu.TrapFrame) (uint64, unix.Errno) {
	c := curCreds()
	return 0, c.gid.setRES(uint32(f.RDI), uint32(f.RSI), uint32(f.RDX), c.privileged())
}

func sysGetresuid(f *cpu.TrapFrame) (uint64, unix.Errno) {
	return 0, storeIDs(&curCreds().uid, f.RDI, f.RSI, f.RDX)
}

func sysGetresgid(f *cpu.TrapFrame) (uint64, unix.Errno) {
	return 0, storeIDs(&curCreds().gid, f.RDI, f.RSI, f.RDX)
}

// storeIDs writes x's three IDs to the caller's r, e and s.
func storeIDs(x *ids, r, e, s uint64) unix.Errno {
	for _, c := range [...]struct {
		addr uint64
		id   uint32
	}{{r, x.real}, {e, x.eff}, {s, x.saved}} {
		if e := store32(c.addr, c.id); e != 0 {
			return e
		}
	}
	return 0
}

// sysSetgroups (size, list) sets the supplementary groups.
//
// Context: kernel (no allocation, no pointer stores).
func sysSetgroups(f *cpu.TrapFrame) (uint64, unix.Errno) {
	n := int(int32(f.RDI))
	if n < 0 || n > ngroupsMax {
		return 0, unix.EINVAL
	}
	var b [ngroupsMax * 4]byte
	if e := copyIn(b[:n*4], f.RSI); e != 0 {
		return 0, e
	}
	var list [ngroupsMax]uint32
	for i := range n {
		list[i] = binary.LittleEndian.Uint32(b[i*4:])
	}
	return 0, curCreds().setGroups(list[:n])
}

// sysGetgroups (size, list) returns the number of supplementary groups,
// and stores them unless size is 0 (EINVAL if they do not fit).
//
// Context: kernel (no allocation, no pointer stores).
func sysGetgroups(f *cpu.TrapFrame) (uint64, unix.Errno) {
	c := curCreds()
	size := int(int32(f.RDI))
	switch {
	case size < 0 || size != 0 && size < c.ngroups:
		return 0, unix.EINVAL
	case size > 0:
		for i, g := range c.groups[:c.ngroups] {
			if e := store32(f.RSI+uint64(i)*4, g); e != 0 {
				return 0, e
			}
		}
	}
	return uint64(c.ngroups), 0
}
