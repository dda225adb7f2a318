package kernel

import (
	"golang.org/x/sys/unix"

	"warren.dev/kernel/cpu"
)

// sysArchPrctl sets or reads the FS base, which holds Go's g pointer.
//
// Context: kernel (no allocation, no pointer stores).
func sysArchPrctl(f *cpu.TrapFrame) (uint64, unix.Errno) {
	t := &threads[cur]
	switch f.RDI {
	case archSetFS:
		if f.RSI >= callerTop() { // as Linux: user addresses only
			return 0, unix.EPERM
		}
		t.fsBase = f.RSI
		cpus[kcpu].userFS = f.RSI
		return 0, 0
	case archGetFS:
		return 0, store64(f.RSI, t.fsBase)
	case archSetGS, archGetGS:
		return 0, unix.EINVAL // GS is the kernel's
	}
	return 0, unix.EINVAL
}

// utsname fields are 65 bytes each: sysname, nodename, release, version,
// machine, domainname.
var utsFields = [6]string{"Linux", "warren", "6.1.0-warren", "#1 Warren unikernel", "x86_64", "(none)"}

func sysUname(f *cpu.TrapFrame) (uint64, unix.Errno) {
	var buf [6 * 65]byte
	for i, s := range utsFields {
		copy(buf[i*65:i*65+64], s)
	}
	return 0, copyOut(f.RDI, buf[:])
}

// sysGetrandom fills a buffer from the CPU's random-number generator
// (RDSEED when it has entropy ready, else RDRAND). Without either the
// call fails: handing out predictable bytes would be worse.
//
// Context: kernel (no allocation, no pointer stores).
func sysGetrandom(f *cpu.TrapFrame) (uint64, unix.Errno) {
	addr, n, flags := f.RDI, f.RSI, f.RDX
	if flags&^(unix.GRND_NONBLOCK|unix.GRND_RANDOM|unix.GRND_INSECURE) != 0 {
		return 0, unix.EINVAL
	}
	if !haveRDRAND {
		return 0, unix.ENOSYS
	}
	const maxRead = 32<<20 - 1
	if n > maxRead {
		n = maxRead
	}
	var buf [256]byte
	for done := uint64(0); done < n; {
		chunk := n - done
		if chunk > uint64(len(buf)) {
			chunk = uint64(len(buf))
		}
		if !fillRandom(buf[:chunk]) {
			if done > 0 {
				return done, 0
			}
			return 0, unix.EAGAIN
		}
		if e := copyOut(addr+done, buf[:chunk]); e != 0 {
			return 0, e
		}
		done += chunk
	}
	return n, 0
}

var haveRDRAND, haveRDSEED bool

// fillRandom fills b from the hardware generator; false if it stayed
// empty through the retries Intel recommends (DRNG guide §5.2.1).
//
// Context: kernel (no allocation, no pointer stores).
func fillRandom(b []byte) bool {
	for i := 0; i < len(b); i += 8 {
		v, ok := uint64(0), false
		if haveRDSEED {
			v, ok = cpu.Rdseed()
		}
		for try := 0; !ok && try < 10; try++ {
			v, ok = cpu.Rdrand()
		}
		if !ok {
			return false
		}
		for j := 0; j < 8 && i+j < len(b); j++ {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	return true
}

// sysPrlimit64 reports and sets the limits (limits.go) of the caller, or
// of another live process its credentials allow (EPERM otherwise).
func sysPrlimit64(f *cpu.TrapFrame) (uint64, unix.Errno) {
	pid, res, nw, old := f.RDI, f.RSI, f.RDX, f.R10
	p := curProc()
	if pid != 0 && pid != uint64(procs[p].pid) {
		q, ok := liveProcess(int32(pid))
		if !ok || uint64(procs[q].pid) != pid {
			return 0, unix.ESRCH
		}
		if !curCreds().mayPrlimit(&procCreds[q]) {
			return 0, unix.EPERM
		}
		p = q
	}
	if res >= rlimNLimits {
		return 0, unix.EINVAL
	}
	cur, max := rlimit(p, res)
	if res == unix.RLIMIT_STACK && cur == unix.RLIM_INFINITY {
		cur = userStackSize
	}
	if nw != 0 {
		var b [16]byte
		if e := copyIn(b[:], nw); e != 0 {
			return 0, e
		}
		if e := setRlimit(p, res, le64(b[0:]), le64(b[8:])); e != 0 {
			return 0, e
		}
	}
	if old == 0 {
		return 0, 0
	}
	var b [16]byte
	put64(b[0:], cur)
	put64(b[8:], max)
	return 0, copyOut(old, b[:])
}

// sysPrctl serves the keep-capabilities flag, kept per thread as Linux
// keeps it (syscall.AllThreadsSyscall sets it on every thread, and Go's
// tests check each). With no capabilities to keep it changes nothing
// else. Other options are EINVAL, as Linux answers an unknown one: the
// runtime names mappings with PR_SET_VMA and tolerates it.
func sysPrctl(f *cpu.TrapFrame) (uint64, unix.Errno) {
	t := &threads[cur]
	switch f.RDI {
	case unix.PR_GET_KEEPCAPS:
		if t.keepCaps {
			return 1, 0
		}
		return 0, 0
	case unix.PR_SET_KEEPCAPS:
		if f.RSI > 1 {
			return 0, unix.EINVAL
		}
		t.keepCaps = f.RSI == 1
		return 0, 0
	}
	return 0, unix.EINVAL
}

// sysSysinfo reports uptime and memory.
func sysSysinfo(f *cpu.TrapFrame) (uint64, unix.Errno) {
	var b [112]byte
	put64(b[0:], uint64(nanotime()/1e9))
	st := physFrames.Stats()
	put64(b[32:], st.Total*pageSize)
	put64(b[40:], st.Free*pageSize)
	b[80], b[81] = 1, 0 // procs
	b[104] = 1          // mem_unit
	return 0, copyOut(f.RDI, b[:])
}
