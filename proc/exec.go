package proc

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"

	"golang.org/x/sys/unix"

	"warren.dev/kernel/procabi"
)

// AnnounceExec tells the kernel that ServeExec will serve execve calls,
// which until then fail with ENOSYS.
func AnnounceExec() error { return sysExecNext(nil) }

// ServeExec serves the processes' execve calls, each on a goroutine of
// its own: the kernel hands over the request (procabi.SysExecNext), the
// loader reads argv and envp from the caller, loads the executable the
// kernel resolved and answers. It returns only if the kernel refuses.
func ServeExec() error {
	buf := make([]byte, procabi.ExecRequestSize)
	for {
		if err := sysExecNext(buf); err != nil {
			if errors.Is(err, unix.EINTR) {
				continue
			}
			return err
		}
		go serveExec(decodeExecRequest(buf))
	}
}

// An execRequest is one process's execve.
type execRequest struct {
	pid        int
	argv, envp uint64 // in the caller's memory
	path       string
}

func decodeExecRequest(b []byte) execRequest {
	le := binary.LittleEndian
	n := min(le.Uint64(b[procabi.ExecPathLen:]), procabi.PathMax)
	return execRequest{
		pid:  int(le.Uint64(b[procabi.ExecPid:])),
		argv: le.Uint64(b[procabi.ExecArgv:]),
		envp: le.Uint64(b[procabi.ExecEnvp:]),
		path: string(b[procabi.ExecPath : procabi.ExecPath+n]),
	}
}

// serveExec fails the execve with an errno while it can, then lays out
// the executable; a failure past the point of no return kills the
// process (the kernel's answer to a late error).
func serveExec(r execRequest) {
	read := func(addr uint64, b []byte) error { return sysExecRead(r.pid, addr, b) }
	l, err := prepareExec(r.path, read, r.argv, r.envp)
	if err != nil {
		sysExecReply(r.pid, execErrno(err))
		return
	}
	if sysExecReply(r.pid, 0) != nil {
		return // the process ended meanwhile
	}
	img, err := l.load(kernelMemory{r.pid})
	if err == nil {
		err = sysStart(r.pid, img)
	}
	if err != nil {
		sysExecReply(r.pid, execErrno(err))
	}
}

// prepareExec reads argv and envp through read and checks the executable
// at path.
func prepareExec(path string, read readFunc, argvAddr, envpAddr uint64) (*layout, error) {
	argv, err := readStrings(read, argvAddr)
	if err != nil {
		return nil, err
	}
	envv, err := readStrings(read, envpAddr)
	if err != nil {
		return nil, err
	}
	if len(argv) == 0 {
		argv = []string{""} // as Linux since 5.18: an empty argv[0]
	}
	exe, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return prepare(exe, argv, envv)
}

// execErrno is execve's errno for err: a system call's own, E2BIG for
// arguments too long, ENOEXEC for a file that is no executable Warren
// runs.
func execErrno(err error) unix.Errno {
	var e unix.Errno
	switch {
	case errors.As(err, &e):
		return e
	case errors.Is(err, errArgsTooLong):
		return unix.E2BIG
	}
	return unix.ENOEXEC
}

// readFunc copies len(b) bytes of the caller's memory at addr into b.
type readFunc func(addr uint64, b []byte) error

// readStrings reads a NULL-terminated array of pointers to NUL-terminated
// strings (argv, envp) at addr; a NULL addr is an empty array. Reads stop
// at page ends, so a string that ends just before unmapped memory is
// read. E2BIG beyond what the stack can hold.
func readStrings(read readFunc, addr uint64) ([]string, error) {
	var out []string
	if addr == 0 {
		return out, nil
	}
	total := 0
	var word [8]byte
	for ; ; addr += 8 {
		if err := read(addr, word[:]); err != nil {
			return nil, err
		}
		p := binary.LittleEndian.Uint64(word[:])
		if p == 0 {
			return out, nil
		}
		if total >= maxArgSpace {
			return nil, unix.E2BIG
		}
		s, err := readString(read, p, maxArgSpace-total)
		if err != nil {
			return nil, err
		}
		total += len(s) + 1 + 8
		out = append(out, s)
	}
}

// readString reads the NUL-terminated string at addr, of at most max
// bytes with its NUL.
func readString(read readFunc, addr uint64, max int) (string, error) {
	var s []byte
	for {
		chunk := PageSize - addr%PageSize
		if left := uint64(max - len(s)); left < chunk {
			chunk = left
		}
		if chunk == 0 {
			return "", unix.E2BIG
		}
		b := make([]byte, chunk)
		if err := read(addr, b); err != nil {
			return "", err
		}
		if i := bytes.IndexByte(b, 0); i >= 0 {
			return string(append(s, b[:i]...)), nil
		}
		s = append(s, b...)
		addr += chunk
	}
}
