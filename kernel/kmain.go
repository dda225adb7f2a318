package kernel

import (
	"warren.dev/drivers/uart"
	"warren.dev/kernel/cpu"
)

var console = uart.Port{Base: com1Port}

// kmain runs on the boot stack with the boot page tables, before the Go
// runtime exists. It sets the machine up and enters the program.
//
// Context: kernel (no allocation, no pointer stores).
func kmain(mbInfo uintptr) {
	console.Init()
	console.Write([]byte("warren: long mode\n"))
	powerOff(0)
}

// powerOff ends the machine with a status: under QEMU through
// isa-debug-exit, elsewhere by halting.
//
// Context: kernel (no allocation, no pointer stores).
func powerOff(status uint8) {
	cpu.Outl(debugExitPort, uint32(status))
	for {
		cpu.DisableInterrupts()
		cpu.Halt()
	}
}
