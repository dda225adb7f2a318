// Package vdso builds the tiny ELF64 shared object that Warren hands to the
// Go runtime as its vDSO (auxv AT_SYSINFO_EHDR).
//
// The image holds only dynamic-linking metadata: a symbol table, a SysV
// hash table and a GNU version definition "LINUX_2.6", exactly what
// runtime/vdso_linux.go looks up. The functions themselves are hand-written
// assembly that the kernel places after the image (kernel/vdso.go); their
// symbols are absolute (SHN_ABS).
//
// The object is linked at the address where it lives: PT_LOAD has
// p_offset 0 and p_vaddr base, so the runtime's load offset
// (base + p_offset - p_vaddr) is 0 and every address in the image (dynamic
// entries, symbol values) is the real virtual address. One consequence: the
// runtime's vdsoLoadStart/End become [0, size) instead of the image's page.
// On amd64 that range only labels profiling samples whose traceback failed
// (proc.go sigprof), and no code lives there, so nothing is lost.
package vdso

import "errors"

// Names of the functions the Go runtime looks up
// (runtime/vdso_linux_amd64.go, vdsoSymbolKeys).
const (
	ClockGettime = "__vdso_clock_gettime"
	Gettimeofday = "__vdso_gettimeofday"
	Getrandom    = "__vdso_getrandom"
)

// Version is the symbol version the runtime requires (vdsoLinuxVersion);
// SOName is the object's own name, as on Linux.
const (
	Version = "LINUX_2.6"
	SOName  = "linux-vdso.so.1"
)

// Symbol is one exported function: its name and absolute address.
type Symbol struct {
	Name string
	Addr uint64
}

// Errors returned by Build.
var (
	ErrShortBuffer = errors.New("vdso: buffer too small")
	ErrBadBase     = errors.New("vdso: base is not page aligned or image would wrap")
	ErrBadSymbol   = errors.New("vdso: symbol name empty, duplicated or holds NUL, or address 0")
)
