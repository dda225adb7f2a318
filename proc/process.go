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
	return p, p.Start()
}

// New loads the static executable exe into a new process, ready to start,
// with arguments argv (argv[0] is the program's path) and environment
// envv. name labels the process in the kernel's messages. Everything that
// can be checked is checked before the process is created; the kernel's
// ABI has no call to discard a process that was created but could not be
// loaded (out of memory), so such a process stays, never started.
func New(name string, exe []byte, argv, envv []string) (*Process, error) {
	l, err := prepare(exe, argv, envv)
	if err != nil {
		return nil, err
	}
	pid, err := sysCreate(name)
	if err != nil {
		return nil, fmt.Errorf("creating the process: %w", err)
	}
	img, err := l.load(kernelMemory{pid})
	if err != nil {
		return nil, err
	}
	return &Process{Pid: pid, img: img}, nil
}

// Start starts the process's first thread.
func (p *Process) Start() error {
	if err := sysStart(p.Pid, p.img); err != nil {
		return fmt.Errorf("starting process %d: %w", p.Pid, err)
	}
	return nil
}

// Wait blocks until the process has ended and returns its wait status.
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
