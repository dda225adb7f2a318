package kernel

import (
	"golang.org/x/sys/unix"

	"warren.dev/kernel/cpu"
	"warren.dev/kernel/procabi"
)

// Starting the program: thread 1 enters the Go runtime's Linux entry
// point with the initial stack Linux would build (argc, argv, envp,
// auxv), in user mode.

const (
	userStackSize = 8 << 20 // reserved; pages are backed as the stack grows into them
	stackImageMax = 16 << 10
)

// Auxiliary vector keys (linux/auxvec.h).
const (
	atNull        = 0
	atPagesz      = 6
	atClktck      = 17
	atSecure      = 23
	atRandom      = 25
	atSysinfoEhdr = 33
)

// stackImage is where the initial stack is assembled before it is copied
// to the top of the user stack.
var stackImage [stackImageMax]byte

// startProgram creates thread 1 and makes it runnable.
//
// Context: kernel (no allocation, no pointer stores).
func startProgram() {
	top, e := userAS.Mmap(0, userStackSize, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if e != 0 {
		bootFail("no memory for the program's stack")
	}
	top += userStackSize
	sp := buildInitialStack(top)

	i, e := allocThread(0)
	if e != 0 {
		bootFail("no memory for the first thread")
	}
	t := &threads[i]
	f := t.frame()
	*f = cpu.TrapFrame{
		RIP:    rt0PC(),
		CS:     cpu.UserCS,
		RFLAGS: cpu.FlagIF | cpu.FlagIOPL | 1<<1, // IOPL 3: drivers in Go use port I/O
		RSP:    sp,
		SS:     cpu.UserDS,
	}
	copy(physBytes(t.xsave, int(xsaveSize)), physBytes(xsaveInit, int(xsaveSize)))
	prepareFirstSwitch(i)
	enqueue(i)
}

// prepareFirstSwitch lays out what swtch pops on a new thread's kernel
// stack (BP, then the return address threadStart) under its trap frame.
//
// Context: kernel (no allocation, no pointer stores).
func prepareFirstSwitch(i int32) {
	t := &threads[i]
	sp := t.kstackTop - trapFrameSize
	sp -= 8
	*(*uint64)(pointerAt(sp)) = threadStartPC()
	sp -= 8
	*(*uint64)(pointerAt(sp)) = 0
	t.savedSP = sp
}

// buildInitialStack writes strings, AT_RANDOM bytes, auxv, envp, argv
// and argc below top and returns the stack pointer (16-byte aligned, at
// argc).
//
// Context: kernel (no allocation, no pointer stores).
func buildInitialStack(top uint64) uint64 {
	img := stackImage[:]
	// Strings and random bytes fill the image from its end.
	end := len(img)
	strAddr := func(s []byte) uint64 {
		end -= len(s) + 1
		if end < 1024 {
			bootFail("boot command line too long for the initial stack")
		}
		copy(img[end:], s)
		img[end+len(s)] = 0
		return top - uint64(len(img)-end)
	}
	var argAddrs, envAddrs [maxArgs + 2]uint64
	for i, a := range argv[:nArgv] {
		if i == 0 && exeLens[0] > 0 {
			// The program's plain executable (findProgramExe), which a
			// test re-executes as os.Args[0], as go test passes it.
			a = exePaths[0][:exeLens[0]]
		}
		argAddrs[i] = strAddr(a)
	}
	nEnv := 0
	for _, v := range envv[:nEnvv] {
		envAddrs[nEnv] = strAddr(v)
		nEnv++
	}
	if !userSetMemLimit {
		envAddrs[nEnv] = strAddr(memLimitVar())
		nEnv++
	}

	end -= 16
	end &^= 15
	if !fillRandom(img[end : end+16]) {
		seed := cpu.Rdtsc()
		for k := 0; k < 16; k++ {
			img[end+k] = byte(seed >> (8 * (k % 8)))
		}
	}
	randAddr := top - uint64(len(img)-end)

	// Vectors: argc, argv..., 0, envp..., 0, auxv pairs, AT_NULL.
	words := 1 + nArgv + 1 + nEnv + 1 + 2*6
	start := (end - 8*words) &^ 15
	w := start
	put := func(v uint64) {
		put64(img[w:], v)
		w += 8
	}
	put(uint64(nArgv))
	for _, a := range argAddrs[:nArgv] {
		put(a)
	}
	put(0)
	for _, v := range envAddrs[:nEnv] {
		put(v)
	}
	put(0)
	put(atPagesz)
	put(pageSize)
	put(atRandom)
	put(randAddr)
	put(atSysinfoEhdr)
	put(procabi.VDSO)
	put(atClktck)
	put(100)
	put(atSecure)
	put(0)
	put(atNull)
	put(0)
	sp := top - uint64(len(img)-start)
	if copyOut(sp, img[start:]) != 0 {
		bootFail("cannot write the initial stack")
	}
	return sp
}

// memLimitVar sets GOMEMLIMIT to three quarters of free memory, so the
// garbage collector works harder before the machine runs out, unless the
// command line set it.
func memLimitVar() []byte {
	free := physFrames.Stats().Free * pageSize
	memLimitLine.s("GOMEMLIMIT=").u(free / 4 * 3)
	return memLimitLine.buf[:memLimitLine.n]
}

var memLimitLine line
