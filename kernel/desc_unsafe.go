package kernel

import (
	"unsafe"

	"warren.dev/kernel/cpu"
)

func addrOfTSS(c int) uint64 { return uint64(uintptr(unsafe.Pointer(&cpus[c].tss))) }

func loadGDT(c int, base uint64) {
	var gdtr cpu.PseudoDescriptor
	gdtr.Limit = uint16(unsafe.Sizeof(cpus[c].gdt) - 1)
	gdtr.Base = base + uint64(uintptr(unsafe.Pointer(&cpus[c].gdt)))
	cpu.Lgdt(uintptr(unsafe.Pointer(&gdtr.Limit)))
}

func loadIDT(base uint64) {
	var idtr cpu.PseudoDescriptor
	idtr.Limit = uint16(unsafe.Sizeof(idt) - 1)
	idtr.Base = base + uint64(uintptr(unsafe.Pointer(&idt)))
	cpu.Lidt(uintptr(unsafe.Pointer(&idtr.Limit)))
}

// entryData lists the variables the CPU and the entry code reach through
// the image's alias.
func entryData() [6]uint64 {
	return [...]uint64{
		uint64(uintptr(unsafe.Pointer(&idt))), uint64(uintptr(unsafe.Pointer(&cpus[0]))),
		uint64(uintptr(unsafe.Pointer(&cpus[len(cpus)-1]))) + uint64(unsafe.Sizeof(cpus[0])) - 1,
		uint64(uintptr(unsafe.Pointer(&kernelCR3))), uint64(uintptr(unsafe.Pointer(&trapBodyPC))),
		uint64(uintptr(unsafe.Pointer(&trapExitPC))),
	}
}
