// Package vm is the user address space behind the Go runtime's mmap,
// munmap, mprotect and madvise, and behind demand paging.
//
// An AddressSpace keeps a sorted, fixed-size table of areas (anonymous
// private memory with one protection each) and backs them lazily: mmap only
// records an area, the first touch of a page faults, and Fault maps a zeroed
// frame. All state is integers in fixed arrays, so every operation runs in
// kernel context; pointer fields are set once by Init at boot.
//
// Page protections map onto x86 PTEs as follows: any of PROT_READ,
// PROT_WRITE, PROT_EXEC gives Present|User, PROT_WRITE adds Writable, and
// pages without PROT_EXEC are NoExecute. A PROT_NONE page that still holds
// data (after mprotect) stays present without User, so ring 3 cannot touch
// it but its contents survive a later mprotect back.
//
// An AddressSpace is not safe for concurrent use; the kernel serialises
// calls.
package vm
