package kernel

// Trap entry and exit (trapentry_amd64.s): every vector stub
// (vectors_amd64.s) and syscallEntry jump to trapEntry, which calls trap
// (trap.go) and leaves through trapReturn.

// trapEntry saves the registers and switches to the kernel's page
// tables; trapBody completes the trap frame and calls trap. Never called
// from Go.
func trapEntry()
func trapBody()

// trapReturn leaves the kernel through the trap frame at SP. Never called
// from Go.
func trapReturn()

// trapExit loads the page tables in AX and leaves through the frame at SP.
// Never called from Go.
func trapExit()

// trapBodyAddr and trapExitAddr return trapBody's and trapExit's
// addresses in the image.
func trapBodyAddr() uint64
func trapExitAddr() uint64

// Read by the entry code on every CPU (the per-CPU part is in cpuRecord).
var (
	// kernelCR3 is the kernel's page-table root, which trapEntry loads.
	kernelCR3 uint64
	// trapBodyPC and trapExitPC are where the entry code jumps between
	// the image and its alias (alias.go).
	trapBodyPC, trapExitPC uint64
)
