package kernel

import (
	"unsafe"

	"warren.dev/kernel/cpu"
)

// trapFrameAt views the trap frame at a kernel stack address.
func trapFrameAt(addr uint64) *cpu.TrapFrame { return (*cpu.TrapFrame)(pointerAt(addr)) }

// trapFrameSize is the size of a trap frame on the kernel stack.
const trapFrameSize = uint64(unsafe.Sizeof(cpu.TrapFrame{}))
