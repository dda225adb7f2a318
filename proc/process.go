package proc

import (
	"errors"
	"fmt"

	"golang.org/x/sys/unix"
)

// A Process is a program the kernel runs in an address space of its own.
type Process struct {
	Pid int
	img Image
}

// Start is New followed by Process.Start.
func Start(name string, exe []byte, argv, envv []string) (*Process, error) {
	p, err := New(name, exe, argv, envv)
	if err != nil {
		return nil, err
	}
	if err := p.Start(); err != nil {
		return nil, err
	}
	return p, nil
}

// New loads the static executable exe into a new process, ready to start,
// with arguments argv (argv[0] is the program's path) and environment
// envv. name labels the process in the kernel's messages. Everything that
// can be checked is checked before the process is created.
func New(name string, exe []byte, argv, envv []string) (*Process, error) {
	l, err := prepare(exe, argv, envv)
	if err != nil {
		return nil, err
	}
	pid, err := sysCreate(name)
	if err != nil {
		return nil, fmt.Errorf("creating the process: %w", err)
	}
	p := &Process{Pid: pid}
	if p.img, err = l.load(kernelMemory{pid}); err != nil {
		p.Wait() // discards a process that never started
		return nil, err
	}
	return p, nil
}

// Start starts the process's first thread. If it fails, the process is
// discarded.
func (p *Process) Start() error {
	if err := sysStart(p.Pid, p.img); err != nil {
		p.Wait()
		return fmt.Errorf("starting process %d: %w", p.Pid, err)
	}
	return nil
}

// Wait blocks until the process has ended and returns its wait status;
// on a process that never started, it discards it (status SIGKILL).
// After it, the pid names no process.
func (p *Process) Wait() (unix.WaitStatus, error) {
	for {
		ws, err := sysWait(p.Pid)
		if !errors.Is(err, unix.EINTR) {
			return ws, err
		}
	}
}

// kernelMemory is the memory of process pid, written through the kernel.
type kernelMemory struct{ pid int }

func (m kernelMemory) Map(addr, length uint64, prot int) error {
	return sysMap(m.pid, addr, length, prot)
}

func (m kernelMemory) Protect(addr, length uint64, prot int) error {
	return sysProtect(m.pid, addr, length, prot)
}

func (m kernelMemory) Write(addr uint64, b []byte) error { return sysWrite(m.pid, addr, b) }
