// Package proc loads static x86-64 Linux executables into processes of
// their own: it checks the ELF file, lays out its segments and the initial
// stack in the process's memory through the kernel's process calls
// (warren.dev/kernel/procabi), and starts and waits for the process.
package proc

import (
	"crypto/rand"
	"fmt"

	"golang.org/x/sys/unix"
)

// An Image is what a loaded process starts with.
type Image struct {
	Entry uint64 // where its first thread starts
	Stack uint64 // the stack pointer, at argc
	Brk   uint64 // the initial program break
}

// Load parses exe and lays it out in mem with the arguments argv (argv[0]
// is the program's path, also its AT_EXECFN) and the environment envv.
func Load(mem Memory, exe []byte, argv, envv []string) (Image, error) {
	l, err := prepare(exe, argv, envv)
	if err != nil {
		return Image{}, err
	}
	return l.load(mem)
}

// A layout is a checked executable and its initial stack, ready to be
// written into a process.
type layout struct {
	exe   *Executable
	stack []byte // from Image.Stack up to StackTop
	img   Image
}

// prepare does all the checks Load does before touching memory, so a
// process is created only for a program that can be loaded.
func prepare(exe []byte, argv, envv []string) (*layout, error) {
	x, err := Parse(exe)
	if err != nil {
		return nil, err
	}
	var random [16]byte
	rand.Read(random[:])
	stack, sp, err := initialStack(x, argv, envv, random)
	if err != nil {
		return nil, err
	}
	return &layout{exe: x, stack: stack, img: Image{Entry: x.Entry, Stack: sp, Brk: x.Brk}}, nil
}

// load writes the layout into mem.
func (l *layout) load(mem Memory) (Image, error) {
	if err := mapSegments(mem, l.exe.Segments); err != nil {
		return Image{}, err
	}
	prot := unix.PROT_READ | unix.PROT_WRITE
	if l.exe.ExecStack {
		prot |= unix.PROT_EXEC
	}
	if err := mem.Map(StackTop-StackSize, StackSize, prot); err != nil {
		return Image{}, fmt.Errorf("mapping the stack: %w", err)
	}
	if err := mem.Write(l.img.Stack, l.stack); err != nil {
		return Image{}, fmt.Errorf("writing the stack: %w", err)
	}
	return l.img, nil
}
