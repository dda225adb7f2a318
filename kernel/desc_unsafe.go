package kernel

import (
	"unsafe"

	"warren.dev/kernel/cpu"
)

func addrOfTSS() uint64 { return uint64(uintptr(unsafe.Pointer(&tss))) }

var gdtr, idtr cpu.PseudoDescriptor

func loadGDT(base uint64) {
	gdtr.Limit = uint16(unsafe.Sizeof(gdt) - 1)
	gdtr.Base = base + uint64(uintptr(unsafe.Pointer(&gdt)))
	cpu.Lgdt(uintptr(unsafe.Pointer(&gdtr.Limit)))
}

func loadIDT(base uint64) {
	idtr.Limit = uint16(unsafe.Sizeof(idt) - 1)
	idtr.Base = base + uint64(uintptr(unsafe.Pointer(&idt)))
	cpu.Lidt(uintptr(unsafe.Pointer(&idtr.Limit)))
}

// entryData lists the variables the CPU and the entry code reach through
// the image's alias.
func entryData() [8]uint64 {
	return [...]uint64{
		uint64(uintptr(unsafe.Pointer(&gdt))), uint64(uintptr(unsafe.Pointer(&idt))), addrOfTSS(),
		uint64(uintptr(unsafe.Pointer(&kernelCR3))), uint64(uintptr(unsafe.Pointer(&trapBodyPC))),
		uint64(uintptr(unsafe.Pointer(&trapExitPC))), uint64(uintptr(unsafe.Pointer(&kernelStackTop))),
		uint64(uintptr(unsafe.Pointer(&syscallUserSP))),
	}
}
