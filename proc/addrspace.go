package proc

import "warren.dev/kernel/procabi"

// The layout of a process's address space: the executable's segments in
// [LoadBottom, LoadTop), the stack in [LoadTop, StackTop), and above it a
// gap up to procabi.UserTop.
const (
	PageSize   = 4096
	LoadBottom = procabi.UserBottom
	LoadTop    = StackTop - StackSize
	StackTop   = 0x3fff_f000_0000
	StackSize  = 8 << 20

	// PIEBase is where a static position-independent executable (ET_DYN
	// without an interpreter) is loaded: two thirds of the way up, as
	// Linux does, and 2 MiB aligned, which covers the segment alignments
	// linkers use.
	PIEBase = 0x2aaa_aaa0_0000
)

func pageDown(a uint64) uint64 { return a &^ (PageSize - 1) }
func pageUp(a uint64) uint64   { return (a + PageSize - 1) &^ (PageSize - 1) }
