package kernel

import (
	"unsafe"

	"warren.dev/kernel/cpu"
)

func addrOfTSS() uint64 { return uint64(uintptr(unsafe.Pointer(&tss))) }

var gdtr, idtr cpu.PseudoDescriptor

func loadGDT() {
	gdtr.Limit = uint16(unsafe.Sizeof(gdt) - 1)
	gdtr.Base = uint64(uintptr(unsafe.Pointer(&gdt)))
	cpu.Lgdt(uintptr(unsafe.Pointer(&gdtr.Limit)))
}

func loadIDT() {
	idtr.Limit = uint16(unsafe.Sizeof(idt) - 1)
	idtr.Base = uint64(uintptr(unsafe.Pointer(&idt)))
	cpu.Lidt(uintptr(unsafe.Pointer(&idtr.Limit)))
}

func addrOfVDSOImage() uint64 { return uint64(uintptr(unsafe.Pointer(&vdsoImage))) }
