package proc

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"

	"warren.dev/kernel/procabi"
)

// Auxiliary vector keys (linux/auxvec.h, asm/auxvec.h).
const (
	atNull        = 0
	atPhdr        = 3
	atPhent       = 4
	atPhnum       = 5
	atPagesz      = 6
	atBase        = 7
	atFlags       = 8
	atEntry       = 9
	atUID         = 11
	atEUID        = 12
	atGID         = 13
	atEGID        = 14
	atPlatform    = 15
	atHwcap       = 16
	atClktck      = 17
	atSecure      = 23
	atRandom      = 25
	atHwcap2      = 26
	atExecfn      = 31
	atSysinfoEhdr = 33
	atMinSigStkSz = 51
)

// platform is AT_PLATFORM's string.
const platform = "x86_64"

// maxArgSpace bounds what the arguments and environment take on the
// stack: a quarter of it, as Linux.
const maxArgSpace = StackSize / 4

// errArgsTooLong is the error, wrapped, for arguments and environment
// beyond maxArgSpace (E2BIG for execve).
var errArgsTooLong = errors.New("arguments and environment too long")

// initialStack lays out the top of the stack as Linux's execve leaves it
// (System V AMD64 ABI §3.4.1; the auxv in the order of Linux's
// create_elf_tables): from the stack pointer, which is 16-byte aligned,
// argc, argv, NULL, envp, NULL, the auxiliary vector, then the random
// bytes and the strings up to StackTop. argv[0] is also AT_EXECFN. It
// returns the bytes from the stack pointer to StackTop.
func initialStack(x *Executable, argv, envv []string, random [16]byte) (img []byte, sp uint64, err error) {
	if len(argv) == 0 {
		return nil, 0, errors.New("no argv[0]: the program's path must be its first argument")
	}
	strs := append(append([]string{platform}, argv...), envv...)
	size := 0
	for _, s := range strs {
		if strings.IndexByte(s, 0) >= 0 {
			return nil, 0, fmt.Errorf("argument or environment variable %q contains a NUL byte", s)
		}
		size += len(s) + 1
	}
	strBase := StackTop - uint64(size)
	addrs := make([]uint64, len(strs))
	for i, off := 0, uint64(0); i < len(strs); i++ {
		addrs[i] = strBase + off
		off += uint64(len(strs[i])) + 1
	}
	platformAddr, argAddrs, envAddrs := addrs[0], addrs[1:1+len(argv)], addrs[1+len(argv):]
	randomAddr := (strBase - 16) &^ 15

	words := []uint64{uint64(len(argv))}
	words = append(append(words, argAddrs...), 0)
	words = append(append(words, envAddrs...), 0)
	words = append(words,
		atSysinfoEhdr, procabi.VDSO,
		atMinSigStkSz, minSigStackSize(),
		atHwcap, hwcap(),
		atPagesz, PageSize,
		atClktck, 100,
		atPhdr, x.Phdr,
		atPhent, phentSize,
		atPhnum, x.Phnum,
		atBase, 0, // no interpreter
		atFlags, 0,
		atEntry, x.Entry,
		atUID, 0, atEUID, 0, atGID, 0, atEGID, 0,
		atSecure, 0,
		atRandom, randomAddr,
		atHwcap2, 0,
		atExecfn, argAddrs[0],
		atPlatform, platformAddr,
		atNull, 0,
	)
	sp = (randomAddr - 8*uint64(len(words))) &^ 15
	if StackTop-sp > maxArgSpace {
		return nil, 0, fmt.Errorf("%w: %d bytes of stack, more than %d", errArgsTooLong, StackTop-sp, maxArgSpace)
	}
	img = make([]byte, StackTop-sp)
	for i, w := range words {
		binary.LittleEndian.PutUint64(img[8*i:], w)
	}
	copy(img[randomAddr-sp:], random[:])
	at := img[strBase-sp:]
	for _, s := range strs {
		at = at[copy(at, s)+1:]
	}
	return img, sp, nil
}
