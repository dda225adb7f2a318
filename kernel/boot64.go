package kernel

// The 64-bit entries (boot64_amd64.s): the boot CPU's from the 32-bit code
// of the Multiboot and PVH entries (boot/), an application processor's
// from the trampoline (smp.go).

// start64 is the boot CPU's 64-bit entry; it calls kmain (kmain.go) on
// bootStack. Never called from Go.
func start64()

// apStart64 is where an application processor enters 64-bit code from the
// trampoline; it calls apMain (smp.go). Never called from Go.
func apStart64()

// apStart64Addr returns apStart64's address, for the trampoline.
func apStart64Addr() uint64

// bootStackSize is the stack kmain runs on.
const bootStackSize = 64 << 10

var bootStack [bootStackSize]byte
