package kernel

import "warren.dev/kernel/vdso"

// The vDSO lets the runtime read the clock without a trap: without one,
// clock_gettime is over half of all system calls of an HTTP server.

func vdsoClockGettime()
func vdsoGettimeofday()

// vdsoSymbols returns the addresses of the vDSO functions.
func vdsoSymbols() (clockGettime, gettimeofday uint64)

// vdsoImage holds the vDSO's ELF image in its first page-aligned page; it
// lies in the program's data, so user code can read it.
var vdsoImage [2 * pageSize]byte

var vdsoBase uint64

// buildVDSO writes the vDSO image.
//
// Context: kernel (no allocation, no pointer stores).
func buildVDSO() {
	cg, gtod := vdsoSymbols()
	syms := [2]vdso.Symbol{
		{Name: "__vdso_clock_gettime", Addr: cg},
		{Name: "__vdso_gettimeofday", Addr: gtod},
	}
	addr := addrOfVDSOImage()
	vdsoBase = (addr + pageSize - 1) &^ (pageSize - 1) // the image starts on a page
	off := vdsoBase - addr
	if _, err := vdso.Build(vdsoImage[off:off+pageSize], vdsoBase, syms[:]); err != nil {
		bootFail(err.Error())
	}
}
